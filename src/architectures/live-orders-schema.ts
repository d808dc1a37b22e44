/**
 * The GraphQL schema of the {@link LiveOrdersStack}: order status in DynamoDB, read one at a time
 * or as the changes since a point in time, updated with the version the client read, and pushed
 * to subscribers when it changes (from a client's update or from the backend's events).
 */
export const LIVE_ORDERS_SCHEMA = `enum OrderStatus {
  PLACED
  CONFIRMED
  CANCELLED
  SHIPPED
  DELIVERED
}

"An order as the table holds it. version grows by one with every write."
type Order {
  id: ID!
  status: OrderStatus!
  version: Int!
  updatedAt: AWSDateTime!
  note: String
}

"One page of the delta query. Pass nextToken for the next page, and nextSince as since next time."
type OrderPage {
  items: [Order!]!
  nextToken: String
  nextSince: AWSDateTime!
}

"A status change pushed to subscribers (from the backend's events)."
type OrderStatusEvent {
  id: ID!
  status: OrderStatus!
  source: String
  publishedAt: AWSDateTime!
}

type Query {
  order(id: ID!): Order
  ordersChangedSince(since: AWSDateTime!, limit: Int, nextToken: String): OrderPage!
}

type Mutation {
  "Conflict-safe: fails with errorType ConflictError (and the current order in errors[].data) unless the order is still at expectedVersion. expectedVersion 0 creates it."
  updateOrderStatus(id: ID!, status: OrderStatus!, expectedVersion: Int!, note: String): Order
  "Pushes a status change to subscribers without storing it (called by EventBridge)."
  publishOrderStatus(id: ID!, status: OrderStatus!, source: String, publishedAt: AWSDateTime): OrderStatusEvent
}

type Subscription {
  "Status events from the backend; give id to follow one order."
  onOrderStatus(id: ID): OrderStatusEvent @aws_subscribe(mutations: ["publishOrderStatus"])
  "Orders changed by clients; give id to follow one order."
  onOrderUpdated(id: ID): Order @aws_subscribe(mutations: ["updateOrderStatus"])
}
`;
