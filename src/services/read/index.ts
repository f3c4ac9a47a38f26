export * from './model';
export * from './filters';
export * from './ordering';
export * from './read-service';
export * from './summaries';
export { SqlParams, quote } from './sql';
export { parsePgTimestamp } from './timestamps';
