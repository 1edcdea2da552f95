/*! cdk-inference-platform:pre-processing-handler */
import { createProcessingHandler } from './processing-handler-factory';

/** Checks a prompt or a request payload before a team calls its endpoint itself. */
export const handler = createProcessingHandler('input', __dirname);
