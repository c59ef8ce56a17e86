// The agent's long-running services, imported where a program starts them (`titan start` after
// ready, `titan` offline commands, tests): reflexes, memory, the code graph, jobs, routines, goals,
// the profile, onboarding, JIT and kernel-patch tools. Their types are in ./api.ts too.
export { startReflexes, offerEmbeddings } from './reflex/start.ts';
export { ReflexService } from './reflex/service.ts';
export { startMemory } from './memory/start.ts';
export { MemoryService, WORKSPACE_USER } from './memory/service.ts';
export { CodeGraph } from './memory/code-graph/code-graph.ts';
export { codeGraphOf, startCodeGraph } from './memory/code-graph/start.ts';
export { JobService } from './jobs/service.ts';
export { RoutineService, systemClock } from './routines/service.ts';
export { engineCheck, jobsHereOrOnPeers, routineJobs } from './routines/jobs.ts';
export { startAutonomy } from './autonomy/start.ts';
export { ControlPlane } from './autonomy/control-plane.ts';
export { startProfile } from './profile/start.ts';
export { startOnboarding } from './onboarding/start.ts';
export { Onboarding } from './onboarding/service.ts';
export { JitTool, JIT_TOOL } from './jit/tool.ts';
export { KernelPatchTool, KERNEL_PATCH_TOOL, KERNEL_PATCH_DECIDE_TOOL } from './kernel-patch/tool.ts';
export { llmSourceModel } from './kernel-patch/source-model.ts';
