/** @module hivestate's public API. Everything a user imports comes from here. */
export { createHive, Hive, defaultHiveOptions, type HiveOptions, type HiveStatus, type HiveEventType } from './createHive.js';
export { defaultCloseOptions, type CloseOptions } from './closeOptions.js';
export type { HiveEvent } from './kernel/Kernel.js';
export type { InspectionRecord } from './kernel/InspectionRecord.js';
export type { Input, JournalRecord } from './kernel/inputs.js';
export type { AgentSpec, Bidder, TaskSpec } from './specs.js';
export type { TaskView, AgentView } from './views.js';
export type { Handler, HandlerContext, Verifier } from './effects/types.js';
export { processHandler, defaultProcessHandlerOptions, type ProcessHandlerOptions } from './effects/processHandler.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export {
  HiveError,
  ValidationError,
  NotFoundError,
  DuplicateIdError,
  DependencyCycleError,
  AccessDeniedError,
  AlreadyFinishedError,
  DepthLimitError,
  HiveClosedError,
  StoreError,
  WaitTimeoutError,
  TaskRejectedError,
  FormatError,
  LockedError,
  LockLostError,
  AttemptSupersededError,
  DeterminismViolationError,
  isHiveError,
  type HiveErrorCode,
  type LockHolder,
} from './errors.js';
export { openReplay, Replay, defaultReplayOptions, type ReplayOptions, type ActorState, type ActorChange } from './replay/Replay.js';
export { openDataDir, memorySource, type ReplaySource } from './replay/ReplaySource.js';
export { exportRecording, importRecording, recordingFormat, recordingVersion } from './replay/recording.js';
export type { VerifyReport } from './replay/verifyRun.js';
export { startInspector, defaultInspectorOptions, type InspectorOptions, type InspectorServer, type InspectorSource } from './inspect/InspectorServer.js';
export { createReadModels, readModelView, type ReadModels, type ReadModelContext, type AgentLoad } from './inspect/readModels.js';
export { toStatelyMessages, machineDefinition, statelyInspectVersion, type StatelyMessage } from './inspect/statelyMessages.js';
export type { KernelMachines } from './kernel/Kernel.js';
export type { StoredActor } from './store/HiveStore.js';
export type { Json, TaskStatus, AgentStatus, AgentPriority, TaskError, TaskId, AgentId } from '../machines/types.js';
export type { AgentStats, RoutingCandidate, RoutingDecision, TypeStats } from './hive/marketQueries.js';
export type { AuditRecord, AuditType } from './hive/auditQuery.js';
