/** One numbered migration of the station's SQLite log (storage/migrations/index.ts lists them). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
