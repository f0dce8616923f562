/** @module hivestate's public API. Everything a user imports comes from here. */
export type { HiveNotice, Notify } from './hive/Notifier.js';
export { createHive, Hive, defaultHiveOptions, type HiveOptions, type HiveStatus, type HiveEventType } from './createHive.js';
export { defaultCloseOptions, type CloseOptions } from './closeOptions.js';
export type { HiveEvent } from './kernel/Kernel.js';
export type { InspectionRecord } from './kernel/InspectionRecord.js';
export type { Input, JournalRecord } from './kernel/inputs.js';
export type { AgentSpec, Bidder, TaskSpec } from './specs.js';
export { Colony } from './colony/Colony.js';
export { defaultColonyOptions, type ColonySpec, type SpawnOptions, type TriggerDefinition } from './colony/colonySpecs.js';
export type { ColonyView, TriggerView } from './colony/colonyViews.js';
export type { WorkerHandler, WorkerHandlerContext, WorkerJob, PartialResult, WorkerReport, WorkerReportStatus } from './colony/workerTypes.js';
export type { ScheduleOptions } from './schedule/scheduleRecord.js';
export type { ScheduleView } from './schedule/scheduleView.js';
export type { TaskView, AgentView } from './views.js';
export type { SessionReport, PhaseReport, SessionHealth } from './hive/sessionReport.js';
export type { Handler, HandlerContext, Verifier } from './effects/types.js';
export type { MessageEnvelope, MessageView, MessageState } from './hive/messageViews.js';
export { defaultMessageOptions, type SendSpec, type MessageOptions, type BroadcastOptions } from './hive/messageCommands.js';
export type { MessageHandler, MessageHandlerContext } from './hive/MessageRunner.js';
export { messageTypes, type MessageType } from '../machines/message.js';
export { processHandler, defaultProcessHandlerOptions, type ProcessHandlerOptions } from './effects/processHandler.js';
export { runWorker, type WorkerOptions, type RemoteWorker } from './remote/runWorker.js';
export type { NatsOptions } from './remote/compileNatsOptions.js';
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
  DataDirError,
  ControlSocketError,
  LockLostError,
  AttemptSupersededError,
  DeterminismViolationError,
  ColonyStoppedError,
  NotRetryableError,
  SignalTimeoutError,
  AttemptSuspendedError,
  RemoteUnavailableError,
  WorkerRefusedError,
  HandoffRefusedError,
  isHiveError,
  type HiveErrorCode,
  type LockHolder,
} from './errors.js';
export { openReplay, Replay, defaultReplayOptions, type ReplayOptions, type ActorState, type ActorChange } from './replay/Replay.js';
export { openDataDir, memorySource, type ReplaySource } from './replay/ReplaySource.js';
export { exportRecording, importRecording, recordingFormat, recordingVersion } from './replay/recording.js';
export type { VerifyReport } from './replay/verifyRun.js';
export type { HistoryEntry as ReplayHistoryEntry, HistoryCause as ReplayHistoryCause, HistoryState as ReplayHistoryState } from './replay/actorHistory.js';
export type { WhyReport, WhyStep } from './replay/explainWhy.js';
export { writeFork, type WriteForkOptions, type ForkSummary } from './replay/writeFork.js';
export { startInspector, defaultInspectorOptions, type InspectorOptions, type InspectorServer, type InspectorSource } from './inspect/InspectorServer.js';
export type {
  ActorHistory,
  ActorView,
  Change,
  ChangesPage,
  DirectoryCounts,
  DirectoryEntry,
  DirectoryPage,
  HistoryCause,
  HistoryEntry,
  Info,
  Lane,
  LaneMark,
  Summary,
  Swimlanes,
} from './inspect/inspectorApi.js';
export { createReadModels, readModelView, type ReadModels, type ReadModelContext, type AgentLoad } from './inspect/readModels.js';
export { toStatelyMessages, machineDefinition, statelyInspectVersion, type StatelyMessage } from './inspect/statelyMessages.js';
export type { KernelMachines } from './kernel/Kernel.js';
export type { StoredActor } from './store/HiveStore.js';
export type { Json, TaskStatus, AgentStatus, AgentPriority, TaskError, TaskId, AgentId } from '../machines/types.js';
export type { AgentStats, RoutingCandidate, RoutingDecision, TypeStats } from './hive/marketQueries.js';
export type { AuditRecord, AuditType } from './hive/auditQuery.js';
export { advisoryThresholds, type Advisory, type AdvisoryKind, type AdvisorySeverity, type Insights, type PredictionFigures } from './hive/insightsQuery.js';
export type { Prediction } from '../machines/insights.js';
