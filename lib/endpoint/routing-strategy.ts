/** How SageMaker picks an instance for each request. */
export enum RoutingStrategy {
  /** To the instance with the fewest requests in flight: best for LLMs, whose requests vary widely in length. */
  LEAST_OUTSTANDING_REQUESTS = 'LEAST_OUTSTANDING_REQUESTS',
  /** To a random instance. */
  RANDOM = 'RANDOM',
}
