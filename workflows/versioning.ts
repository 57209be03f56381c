/**
 * Worker Deployment behaviour of each workflow type (worker/versioning.ts gives the worker its
 * deployment version; unversioned workers ignore this). Imported by workflows/index.ts, so the
 * annotations travel in the bundle with the code they describe.
 *
 * PINNED: a booking, reschedule, cancellation or sync retry runs start to end on the build that
 * started it (minutes at most); a deploy never replays a half-done saga on new code, so these
 * need no patched() for changes made from now on, as long as the old build's workers drain them.
 * AUTO_UPGRADE (the worker's default): the 30-day waiting-list monitors, series and the hold
 * sweeper move to the current build at their next task and keep using patched() for changes.
 */
import type { WorkflowDefinitionOptions } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { bookAppointmentWorkflow } from './book-appointment.workflow';
import { cancelBookingWorkflow } from './cancel-booking.workflow';
import { rescheduleBookingWorkflow } from './reschedule-booking.workflow';
import { syncRetryWorkflow } from './sync-retry.workflow';

export const PINNED_WORKFLOWS = ['bookAppointmentWorkflow', 'rescheduleBookingWorkflow', 'cancelBookingWorkflow', 'syncRetryWorkflow'] as const;

/**
 * A getter, read once when a run starts on a worker: an unversioned worker (dev, most tests) must
 * not send a versioning behaviour (the server refuses the task completion), a versioned one does.
 */
const pinnedWhenVersioned = (): WorkflowDefinitionOptions =>
  workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {};

setWorkflowOptions(pinnedWhenVersioned, bookAppointmentWorkflow);
setWorkflowOptions(pinnedWhenVersioned, rescheduleBookingWorkflow);
setWorkflowOptions(pinnedWhenVersioned, cancelBookingWorkflow);
setWorkflowOptions(pinnedWhenVersioned, syncRetryWorkflow);
