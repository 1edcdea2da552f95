/*! cdk-inference-platform:post-processing-handler */
import { createProcessingHandler } from './processing-handler-factory';

/** Checks a model's answer (text or response payload) after a team called its endpoint itself. */
export const handler = createProcessingHandler('output', __dirname);
