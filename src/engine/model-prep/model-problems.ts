/** An error about a model that carries its problems one sentence each, for the report a technician reads. */
export class ModelProblemsError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
  }
}
