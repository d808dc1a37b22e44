/**
 * The reference architectures the bench measures, each with its plain-L2 peer.
 *
 * To add one: export the Stack from src/architectures/, write its peer in bench/peers/, add an
 * app file per subject in bench/apps/ (each calls `synthAndReport`), and list it here.
 */
export interface BenchArchitecture {
  /** Name shown in tables and used in the results JSON. */
  readonly name: string;
  /** App file (relative to the repository root) that synthesizes the library's stack. */
  readonly ours: string;
  /** App file that synthesizes the same architecture with plain aws-cdk-lib L2 constructs. */
  readonly peer: string;
}

export const ARCHITECTURES: BenchArchitecture[] = [
  {
    name: 'MessageBackbone',
    ours: 'bench/apps/message-backbone.ours.ts',
    peer: 'bench/apps/message-backbone.peer.ts',
  },
  {
    name: 'OrderFanOut',
    ours: 'bench/apps/order-fan-out.ours.ts',
    peer: 'bench/apps/order-fan-out.peer.ts',
  },
  {
    name: 'Clickstream',
    ours: 'bench/apps/clickstream.ours.ts',
    peer: 'bench/apps/clickstream.peer.ts',
  },
  {
    name: 'OrderIntake',
    ours: 'bench/apps/order-intake.ours.ts',
    peer: 'bench/apps/order-intake.peer.ts',
  },
  {
    name: 'DailyPrice',
    ours: 'bench/apps/daily-price.ours.ts',
    peer: 'bench/apps/daily-price.peer.ts',
  },
  {
    name: 'LiveOrders',
    ours: 'bench/apps/live-orders.ours.ts',
    peer: 'bench/apps/live-orders.peer.ts',
  },
  {
    name: 'IngestApi',
    ours: 'bench/apps/ingest-api.ours.ts',
    peer: 'bench/apps/ingest-api.peer.ts',
  },
  {
    name: 'OrderSaga',
    ours: 'bench/apps/order-saga.ours.ts',
    peer: 'bench/apps/order-saga.peer.ts',
  },
  {
    name: 'VideoProcessing',
    ours: 'bench/apps/video-processing.ours.ts',
    peer: 'bench/apps/video-processing.peer.ts',
  },
];
