export { runVirt, runWithInput, type RunVirtOptions, type RunWithInputOptions, type RunWithInputResult } from './run.js';
export { planV8Pool, v8PoolSizeFor, currentV8PoolSize, NODE_V8_POOL_SIZE, MAX_V8_POOL_SIZE, V8_POOL_ENV, type V8PoolPlan, type V8PoolHost } from './v8-pool.js';
export {
  VirtMachine, DEFAULT_RAM_BYTES, defaultCodeCacheBytes, DEFAULT_SLICE, MAX_SMP, TURN_COST, MAX_TAG_ACCESS_EXITS_KEPT, type RunResult, type RunOutcome, type VirtMachineOptions,
  type BootOptions, type MachineRunOptions,
} from './machine.js';
export { VmmError, PlatformError } from './errors.js';
export { defaultPlatform, nodePlatform, randomFill, webPlatform, type Platform, type Sha256Hash } from './platform.js';
export { parseSize, checkRamSize, formatSize, MAX_RAM_BYTES } from './size.js';
export { parseElf, isElf, EM_AARCH64, type ElfImage, type ElfSegment } from './elf.js';
export {
  parseArm64ImageHeader, isGzip, gunzipKernel, ARM64_IMAGE_MAGIC, ARM64_IMAGE_MAGIC_OFFSET, type Arm64ImageHeader,
} from './image.js';
export {
  planBoot, detectKernel, VIRT_RAM_BASE, RAW_LOAD_OFFSET, DTB_ALIGN, QEMU_DTB_RESERVED, BOOT_STUB_RESERVED,
  INITRD_MAX_OFFSET, type BootLayout, type KernelFormat, type LoadChunk, type RamRange,
} from './loader.js';
export { FdtBuilder, cells, cells64, FDT_MAGIC, FDT_VERSION, type FdtValue } from './fdt.js';
export { buildVirtDeviceTree, APB_PCLK_HZ, PL011_NODE, type VirtDeviceTreeOptions } from './virt-dt.js';
export { Pl011, PL011_BASE, PL011_SIZE, UART, FR as UART_FR, INT as UART_INT, type Pl011Options } from './pl011.js';
export { MmioBus, type MmioDevice, type MmioMapping, type AccessSize } from './bus.js';
export { LoopDetector, hashBytes, type LoopDetectorOptions } from './loop-detect.js';
export { SerialLog, DEFAULT_SERIAL_LOG_BYTES, DEFAULT_STREAMED_SERIAL_LOG_BYTES } from './serial-log.js';
export { injectExternalDataAbort, injectSyncExternalAbort, discardPendingMmio, type AbortInjection } from './inject.js';
export {
  Framebuffer, FramebufferRefusedError, parseFramebufferSize, FRAMEBUFFER_BASE, FRAMEBUFFER_WINDOW, FRAMEBUFFER_SLOT,
  type FramebufferOptions, type FramebufferFormat, type FramebufferBacking, type FramebufferDescription,
} from './framebuffer.js';
export { encodePng, crc32 } from './framebuffer-png.js';
export { SerialInput, attachStdin, type SerialReceiver, type StdinLike, type AttachedStdin } from './serial-input.js';
export {
  saveSnapshot, decodeSnapshot, restoreSnapshot, restoreMachineOptions, quiesce, tagStats, policyByName,
  SnapshotPages, type DecodedSnapshot, type SnapshotSizes, type SaveOptions, type RestoreConfig, type VcpuState, type Progress,
  type SavedSnapshot, type RestoreCounts,
} from './snapshot.js';
export {
  encodeSnapshot, encodeSnapshotParts, joinParts, decodeContainer, SnapshotError, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, POLICY_NAMES,
  MEM_BACKENDS, sha256Hex, type SnapshotHeader, type PolicyName, type MemBackend, type TagsVia, type SnapshotLayout, type StoredSection,
} from './snapshot-format.js';
export { bytesSource, FileSource, writeSnapshotFile, type SnapshotSource } from './snapshot-source.js';
export { memoryDisk, openDiskFile, type BlockDisk } from './virtio-blk-disk.js';
export { VirtioBlk, type VirtioBlkState } from './virtio-blk.js';
export { VirtioMmioTransport, VIRTIO_MMIO_REG, VIRTIO_STATUS, type VirtioMmioState } from './virtio-mmio.js';
export {
  VIRTIO_F_VERSION_1, VIRTIO_F_RING_RESET, type VirtioDevice, type VirtioDeviceHost, type VirtioMmioVersion,
} from './virtio-device.js';
export { VirtioRng, DEFAULT_RNG_SEED, type VirtioRngSource, type VirtioRngState } from './virtio-rng.js';
export { VirtioConsole, type VirtioConsoleState } from './virtio-console.js';
export { checkPl011State, type Pl011State } from './pl011.js';
export { Pl031, PL031_BASE, PL031_SIZE, RTC, checkPl031State, type Pl031State } from './pl031.js';
export {
  PcieHost, PCIE_ECAM_BASE, PCIE_ECAM_SIZE, PCIE_MMIO_BASE, PCIE_MMIO_SIZE, PCIE_MMIO_HIGH_BASE, PCIE_MMIO_HIGH_SIZE, PCIE_PIO_BASE,
  PCIE_PIO_SIZE, PCI_TESTDEV_DEVFN, type PcieHostOptions, type PcieHostState,
} from './pcie-host.js';
export { PciFunction, type PciBar, type PciBarRegion, type PciIdentity } from './pci-function.js';
export { PciTestdev } from './pci-testdev.js';
export { hostClock, deterministicClock, DEFAULT_ICOUNT_SHIFT, type ClockMode, type VmClock } from './clock.js';
