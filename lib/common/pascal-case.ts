/** `ml.g5.12xlarge` → `MlG512xlarge`, `chat-llm` → `ChatLlm`: a name as part of a construct id. */
export function pascalCase(name: string): string {
  return name.split(/[^a-zA-Z0-9]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
