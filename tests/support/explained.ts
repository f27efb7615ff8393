/** Adds what `explain` finds (the state a failure leaves behind) to the message of `check`'s failure. */
export async function explained(check: Promise<unknown>, explain: () => Promise<string>): Promise<void> {
  try {
    await check;
  } catch (error) {
    if (error instanceof Error) error.message += `\n${await explain().catch((e: unknown) => `(no explanation: ${String(e)})`)}`;
    throw error;
  }
}
