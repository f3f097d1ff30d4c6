/* PL011 output: every character goes to UARTDR once UARTFR.TXFF is clear. */
#include "guest.h"

static volatile u32 *const uart = (volatile u32 *)UART_BASE;

void print_char(char c)
{
    while (uart[UART_FR / 4] & UART_FR_TXFF)
        ;
    uart[UART_DR / 4] = (u8)c;
}

void print_str(const char *s)
{
    while (*s)
        print_char(*s++);
}

void newline(void)
{
    print_char('\n');
}

void print_hex(u64 v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        print_char("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

void print_hex64(u64 v)
{
    print_hex(v, 16);
}

void print_dec(u64 v)
{
    char buf[21];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        print_char(buf[--n]);
}

void print_sdec(s64 v)
{
    if (v < 0) {
        print_char('-');
        print_dec(-(u64)v);
    } else {
        print_dec((u64)v);
    }
}

void print_kv(const char *label, u64 v)
{
    print_str(label);
    print_char('=');
    print_hex64(v);
    newline();
}

void print_line(const char *s)
{
    print_str(s);
    newline();
}

void print_kvf(const char *label, u64 v, u64 nzcv)
{
    print_str(label);
    print_char('=');
    print_hex64(v);
    print_str(" nzcv=");
    print_hex(nzcv >> 28, 1);
    newline();
}

void print_flags(const char *label, u64 unused, u64 nzcv)
{
    (void)unused;
    print_str(label);
    print_str(" nzcv=");
    print_hex(nzcv >> 28, 1);
    newline();
}
