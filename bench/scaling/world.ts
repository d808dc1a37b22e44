/**
 * The discrete-time world: arrivals into a queue (visible / in flight), worker tasks that start
 * after a delay and process `concurrency` messages at once, a CloudWatch that samples the queue
 * and the service once a minute, and a scaler that sets the desired count.
 *
 * Workers run the queue-worker runtime in every subject (same processing, same SIGTERM handling:
 * finish within the grace period, else release), so only the scaling differs. Scale-in: with
 * task scale-in protection (ours) ECS stops idle tasks only and waits for busy ones; without it
 * ECS may stop busy tasks, which then drain or release their messages.
 */
import { MetricStore } from './cloudwatch';
import { Scaler } from './scalers';

export interface Arrival {
  readonly at: number;
  readonly processingSeconds: number;
  /** Messages of the spike are tagged, to time their drain. */
  readonly tag?: string;
}

export interface WorldOptions {
  readonly tickSeconds: number;
  readonly horizonSeconds: number;
  /** From launch to taking work (Fargate: image pull + start, about a minute). */
  readonly startDelaySeconds: number;
  readonly concurrency: number;
  readonly shutdownGraceSeconds: number;
  /** CloudWatch: datapoints become visible this long after their period ends. */
  readonly metricDelaySeconds: number;
  readonly scaleInProtection: boolean;
  readonly initialDesired: number;
  /** Seed for which task ECS stops when it may stop busy ones. */
  readonly seed: number;
}

interface Message {
  readonly id: number;
  readonly sentAt: number;
  readonly processingSeconds: number;
  readonly tag?: string;
  receives: number;
  startedAt?: number;
  doneAt?: number;
}
interface Job { readonly message: Message; readonly finishAt: number }
interface Task { readonly launchedAt: number; readonly readyAt: number; stoppedAt?: number; draining?: number; jobs: Job[] }

export interface WorldResult {
  readonly completed: number;
  readonly total: number;
  /** Message age at the start of its successful processing, seconds. */
  readonly ages: number[];
  readonly workerSeconds: number;
  readonly peakDesired: number;
  /** Receives beyond the first (work lost to scale-in). */
  readonly redeliveries: number;
  /** Completion time of each tag's last message (undefined when not all completed). */
  readonly lastDoneByTag: Record<string, number | undefined>;
  readonly firstSentByTag: Record<string, number>;
  readonly lastSentAt: number;
  readonly lastDoneAt?: number;
  /** Once a minute: time, desired, running, visible, in flight. */
  readonly timeline: Array<[number, number, number, number, number]>;
}

export function simulate(arrivals: readonly Arrival[], scaler: Scaler, o: WorldOptions): WorldResult {
  const store = new MetricStore(o.metricDelaySeconds);
  const messages: Message[] = arrivals
    .map((a, id) => ({ id, sentAt: a.at, processingSeconds: a.processingSeconds, tag: a.tag, receives: 0 }))
    .sort((a, b) => a.sentAt - b.sentAt);
  const visible: Message[] = [];
  let nextArrival = 0;
  const tasks: Task[] = [];
  let desired = o.initialDesired;
  let peakDesired = desired;
  let rng = Math.max(1, Math.floor(o.seed));
  const random = () => { rng = (rng * 16807) % 2147483647; return rng / 2147483647; };
  const timeline: WorldResult['timeline'] = [];
  // Tasks not yet stopped, kept apart from the stopped ones so a day-long run stays fast.
  let liveTasks: Task[] = [];
  const live = () => liveTasks.filter(t => t.stoppedAt === undefined);
  const active = () => live().filter(t => t.draining === undefined);
  const busySlots = (now: number) => live().filter(t => t.readyAt <= now).reduce((n, t) => n + t.jobs.length, 0);
  const release = (job: Job) => { visible.unshift(job.message); };
  const launch = (task: Task) => { tasks.push(task); liveTasks.push(task); };
  for (let i = 0; i < desired; i++) launch({ launchedAt: 0, readyAt: 0, jobs: [] });

  for (let now = 0; now <= o.horizonSeconds; now += o.tickSeconds) {
    while (nextArrival < messages.length && messages[nextArrival].sentAt <= now) visible.push(messages[nextArrival++]);
    for (const t of live()) {
      const done = t.jobs.filter(j => j.finishAt <= now);
      for (const j of done) j.message.doneAt = j.finishAt;
      t.jobs = t.jobs.filter(j => j.finishAt > now);
      if (t.draining !== undefined) {
        if (t.jobs.length === 0) {t.stoppedAt = now;} else if (now - t.draining >= o.shutdownGraceSeconds) {
          t.jobs.forEach(release);
          t.jobs = [];
          t.stoppedAt = now;
        }
      }
    }
    // Workers take messages (long polling: as soon as they are visible).
    for (const t of active()) {
      if (t.readyAt > now) continue;
      while (t.jobs.length < o.concurrency && visible.length > 0) {
        const m = visible.shift()!;
        m.receives++;
        m.startedAt = now;
        t.jobs.push({ message: m, finishAt: now + m.processingSeconds });
      }
    }
    const inFlight = live().reduce((n, t) => n + t.jobs.length, 0);
    const running = live().filter(t => t.readyAt <= now).length;
    if (now % 60 === 0) {
      store.record(now / 60, {
        ApproximateNumberOfMessagesVisible: visible.length,
        ApproximateNumberOfMessagesNotVisible: inFlight,
        RunningTaskCount: running,
        DesiredTaskCount: desired,
        // A transcode keeps its vCPU busy: a task's CPU is the share of its slots in use.
        CPUUtilization: running > 0 ? (100 * busySlots(now)) / (running * o.concurrency) : undefined,
      });
      timeline.push([now, desired, running, visible.length, inFlight]);
    }
    const wanted = scaler.step({ now, desired, running, cloudwatch: store, queue: { visible: visible.length, inFlight } });
    desired = Math.min(scaler.max, Math.max(scaler.min, wanted));
    peakDesired = Math.max(peakDesired, desired);
    // ECS converges the service on the desired count.
    const act = active();
    if (act.length < desired) {
      for (let i = act.length; i < desired; i++) launch({ launchedAt: now, readyAt: now + o.startDelaySeconds, jobs: [] });
    } else if (act.length > desired) {
      let excess = act.length - desired;
      // Tasks still starting and idle tasks go first.
      const idle = act.filter(t => t.jobs.length === 0).sort((a, b) => b.launchedAt - a.launchedAt);
      for (const t of idle) {
        if (excess === 0) break;
        t.stoppedAt = now;
        excess--;
      }
      if (!o.scaleInProtection) {
        const busy = act.filter(t => t.jobs.length > 0 && t.stoppedAt === undefined);
        while (excess > 0 && busy.length > 0) {
          const t = busy.splice(Math.floor(random() * busy.length), 1)[0];
          t.draining = now;
          excess--;
        }
      }
      // With protection, busy tasks are stopped once idle (the loop above on a later tick).
    }
    liveTasks = liveTasks.filter(t => t.stoppedAt === undefined);
  }
  const end = o.horizonSeconds;
  const tags = [...new Set(messages.map(m => m.tag).filter((t): t is string => t !== undefined))];
  const lastDoneByTag: Record<string, number | undefined> = {};
  const firstSentByTag: Record<string, number> = {};
  for (const tag of tags) {
    const ms = messages.filter(m => m.tag === tag);
    lastDoneByTag[tag] = ms.every(m => m.doneAt !== undefined) ? Math.max(...ms.map(m => m.doneAt!)) : undefined;
    firstSentByTag[tag] = Math.min(...ms.map(m => m.sentAt));
  }
  const done = messages.filter(m => m.doneAt !== undefined);
  return {
    completed: done.length,
    total: messages.length,
    ages: done.map(m => m.startedAt! - m.sentAt),
    workerSeconds: tasks.reduce((s, t) => s + ((t.stoppedAt ?? end) - t.launchedAt), 0),
    peakDesired,
    redeliveries: messages.reduce((n, m) => n + Math.max(0, m.receives - 1), 0),
    lastDoneByTag,
    firstSentByTag,
    lastSentAt: messages.length ? messages[messages.length - 1].sentAt : 0,
    lastDoneAt: done.length === messages.length && done.length > 0 ? Math.max(...done.map(m => m.doneAt!)) : undefined,
    timeline,
  };
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
