/**
 * The name of the inference component a scale-to-zero endpoint serves through: the endpoint's
 * name, cut to leave room for the suffix within SageMaker's 63 characters. Pure, so a gateway in
 * another stack and the config checks derive the same name.
 */
export function inferenceComponentNameOf(endpointName: string): string {
  return `${endpointName.slice(0, 60)}-ic`;
}
