// The kernel's public surface: the CLI, the gateway and the benchmarks import from here only.
export { Kernel, type KernelOptions } from './kernel.ts';
export type { ComponentStatus } from './slot.ts';
export { bootstrapBuiltins, builtinsServing, BUILTIN_ROOT, type BootstrapReport } from './bootstrap.ts';
export { publishComponent, type PublishInput } from './publish.ts';
export { checkBinary, importChecked, verifyChecked } from './binary-truth.ts';
export { kindedRef } from './kinds.ts';
export type { Patch, PatchState, Actor } from './patches.ts';
export type { CanaryReport, Equivalence, VerificationReport } from '../components/stores/ops.ts';
export type { RecordedCall, LatencyStats } from './call-recorder.ts';
export type { SwapResult } from './swap.ts';
export type { KernelEvents } from './events.ts';
export { kernelSection, loadConfig, type KernelConfig } from './config.ts';
export type { RoutedCall, CallRouter, KernelPorts, MeshService } from './ports.ts';
export type { Deployment } from './deployment.ts';
export type { Approval, JobRow, JobState, OpInput, OpResult, SchemaStatus, StoreClient, StoreOp, StoreOps, Thread, Turn } from './store-client.ts';
export { SpanKind, failed, openSpan, setTracing, spanAround, traced, tracingOn, type Span } from './tracing.ts';
export { Optimiser, type Proposal, type Strategy, type OptimiserConfig } from './optimiser.ts';
export type { SourceModel } from './rewrite.ts';
