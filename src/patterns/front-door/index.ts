export * from './props';
export { FrontDoorValue, FrontDoorRoute } from './route';
export type { QueueRouteOptions, StreamRouteOptions, EventBusRouteOptions, WorkflowRouteOptions } from './route';
export { FrontDoor } from './front-door';
