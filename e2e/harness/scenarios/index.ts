/**
 * Every reference architecture's scenario. Adding an architecture: write
 * `scenarios/<architecture>.ts` exporting a Scenario for the stack the reference app deploys
 * (bin/reference-app.ts, `-c local=true`), add it here, and add `e2e/<architecture>.e2e.test.ts`.
 */
import { clickstreamScenario } from './clickstream';
import { dailyPriceScenario } from './daily-price';
import { ingestApiScenario } from './ingest-api';
import { liveOrdersScenario } from './live-orders';
import { messageBackboneScenario } from './message-backbone';
import { orderFanOutScenario } from './order-fan-out';
import { orderIntakeScenario } from './order-intake';
import { orderSagaScenario } from './order-saga';
import { Scenario } from './types';
import { videoProcessingScenario } from './video-processing';

export const scenarios: readonly Scenario[] = [
  messageBackboneScenario(),
  orderFanOutScenario(),
  orderIntakeScenario(),
  clickstreamScenario(),
  videoProcessingScenario(),
  liveOrdersScenario(),
  orderSagaScenario(),
  ingestApiScenario(),
  dailyPriceScenario(),
];

export * from './types';
export { messageBackboneScenario } from './message-backbone';
export { orderFanOutScenario, planOrders, FRAUD_THRESHOLD } from './order-fan-out';
export { orderIntakeScenario, planOrderIntake, ORDER_INTAKE_TRAFFIC } from './order-intake';
export type { OrderIntakeTraffic } from './order-intake';
export { clickstreamScenario, CLICKSTREAM_STACK, DEFAULT_CLICKSTREAM_TRAFFIC, planClicks } from './clickstream';
export { fifoFanOutScenario, FIFO_FAN_OUT_STACK } from './fifo-fan-out';
export { ingestApiScenario, INGEST_API_STACK, INGEST_API_TRAFFIC } from './ingest-api';
export type { FifoDelivery, FifoFanOutResult, FifoFanOutScenario } from './fifo-fan-out';
export { videoProcessingScenario, videoSpike, VIDEO_STACK } from './video-processing';
export type { VideoScenario, VideoScenarioResult, VideoSpike } from './video-processing';
export { liveOrdersScenario, liveOrdersClient, resolversOf, concurrentUpdates, syncSince, offlineCatchUp, LIVE_ORDERS_STACK, LIVE_ORDERS_MODEL, DEFAULT_LIVE_ORDERS_TRAFFIC } from './live-orders';
export type { LiveOrdersClient, LiveOrdersTraffic, ConflictOutcome, SyncResult } from './live-orders';
export { orderSagaScenario, runOrderSaga, planSagaOrders, summarizeHistory, checkOrderSaga, ORDER_SAGA_STACK, ORDER_SAGA_TRAFFIC } from './order-saga';
export type { OrderSagaTraffic, OrderSagaRunResult, ExecutionSummary, PlannedOrder, SagaOrder, OrderKind } from './order-saga';
export { dailyPriceScenario, dailyPriceDeployContext, DAILY_PRICE_STACK, DAILY_PRICE_SYMBOLS } from './daily-price';
export type { DailyPriceResult, DailyPriceScenario } from './daily-price';
