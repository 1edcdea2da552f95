/**
 * Account ids that appear in ARNs of a platform config, checked before anything is synthesized: an
 * ARN in an account that does not exist fails the deploy (KMS CreateKey/PutKeyPolicy answer
 * MalformedPolicyDocumentException, S3 PutBucketPolicy "Invalid principal in policy"), and an ARN in
 * another account than the stage's is either a mistake or a cross-account grant that should be
 * stated as one.
 */

/**
 * Account ids AWS documentation uses in its examples. No single AWS page lists them; each is the
 * example account of the pages named:
 * - 123456789012: IAM User Guide, "IAM identifiers" (ARN examples), and most API references;
 * - 111122223333: AWS KMS Developer Guide, "Default key policy" and key policy examples;
 * - 444455556666: AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS key";
 * - 777788889999: IAM User Guide, cross-account policy examples;
 * - 012345678901: AWS Account Management Reference, "View AWS account identifiers";
 * - 987654321098 / 210987654321: the "other account" of cross-account examples (e.g. Application
 *   Recovery Controller, "Cross-account resource permissions").
 */
export const DOCUMENTATION_ACCOUNTS: readonly string[] = [
  '123456789012', '111122223333', '444455556666', '777788889999', '012345678901', '987654321098', '210987654321',
];

/** A documentation example account, or one digit twelve times (000000000000, 111111111111, …: filler in examples and tools). */
export function isPlaceholderAccount(account: string): boolean {
  return DOCUMENTATION_ACCOUNTS.includes(account) || /^(\d)\1{11}$/.test(account);
}

/** The account of an ARN (`arn:partition:service:region:account:resource`), when it names one. */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/** One ARN of the config and where it is, e.g. `stages.prod.dataCapture.readerRoleArns.0`. */
export interface ArnReference {
  readonly path: string;
  readonly arn: string;
}

export interface AccountContext {
  /** The stage's pinned account, when it has one. */
  readonly stageAccount?: string;
  /** Accounts the config names as external on purpose. */
  readonly externalAccounts: readonly string[];
  /** Where `externalAccounts` is, for the fix in a message. */
  readonly externalAccountsPath: string;
}

/** Every problem with the accounts the references name: placeholders, and accounts not the stage's and not declared external. */
export function accountProblems(references: readonly ArnReference[], context: AccountContext): string[] {
  const problems: string[] = [];
  context.externalAccounts.forEach((account, i) => {
    if (isPlaceholderAccount(account)) {
      problems.push(`${context.externalAccountsPath}.${i}: ${JSON.stringify(account)} is a placeholder account from AWS documentation examples, not a real account: remove it`);
    }
  });
  for (const { path, arn } of references) {
    const account = arnAccount(arn);
    if (account === undefined) continue;
    if (isPlaceholderAccount(account)) {
      problems.push(`${path}: ${JSON.stringify(arn)} names account ${account}, a placeholder from AWS documentation examples: ` +
        'AWS rejects policies naming principals or resources that do not exist, so the deploy would fail; use the ARN of a real resource, or remove the setting');
    } else if (context.stageAccount && account !== context.stageAccount && !context.externalAccounts.includes(account)) {
      problems.push(`${path}: ${JSON.stringify(arn)} is in account ${account}, not the stage's account ${context.stageAccount}: ` +
        `if it is external on purpose, add "${account}" to ${context.externalAccountsPath}; otherwise use the ARN in ${context.stageAccount}`);
    }
  }
  return problems;
}
