/**
 * The shutdown state machine.
 *
 *   running --stop--> draining --all jobs done--> stopped
 *                        |  \--grace elapsed or second stop--> releasing --jobs settled--> stopped
 *   running --stop with no job in flight--> stopped
 *
 * running:   receive and process.
 * draining:  receive nothing more; in-flight jobs keep their heartbeat and may finish (and be deleted).
 * releasing: in-flight jobs are aborted and their messages made visible again at once
 *            (ChangeMessageVisibility 0) so another worker picks them up; nothing is deleted.
 * stopped:   the process may exit (code 0).
 */
export type ShutdownState = 'running' | 'draining' | 'releasing' | 'stopped';
export type ShutdownEvent = 'stop' | 'graceElapsed' | 'jobsSettled';

/** The next state; `inFlight` is the number of jobs still running when the event happens. */
export function nextShutdownState(state: ShutdownState, event: ShutdownEvent, inFlight: number): ShutdownState {
  switch (state) {
    case 'running':
      if (event === 'stop') return inFlight === 0 ? 'stopped' : 'draining';
      return state;
    case 'draining':
      if (event === 'jobsSettled' && inFlight === 0) return 'stopped';
      if (event === 'graceElapsed' || event === 'stop') return inFlight === 0 ? 'stopped' : 'releasing';
      return state;
    case 'releasing':
      return event === 'jobsSettled' && inFlight === 0 ? 'stopped' : state;
    case 'stopped':
      return state;
  }
}
