import type { ModelConfig } from '../gateway-config';
import { EMBEDDINGS } from './embeddings';
import { HF_TEXT_GENERATION } from './hf-text-generation';
import { OPENAI_CHAT } from './openai-chat';
import type { PayloadFormat } from './payload-format';
import { rawFormat } from './raw';

export type { CanonicalPayload, FormatResult, PayloadFormat, UnknownFieldPolicy } from './payload-format';
export { UNKNOWN_FIELD_POLICIES } from './payload-format';

/** The canonical model of a model's payload format. */
export function formatFor(model: Pick<ModelConfig, 'format' | 'rawPaths'>): PayloadFormat {
  switch (model.format) {
    case 'openai-chat':
      return OPENAI_CHAT;
    case 'hf-text-generation':
      return HF_TEXT_GENERATION;
    case 'embeddings':
      return EMBEDDINGS;
    case 'raw':
      return rawFormat(model.rawPaths?.request ?? [], model.rawPaths?.response ?? []);
  }
}
