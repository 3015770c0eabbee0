/** The same server and credentials, another database: `withDatabase('postgresql://u:p@h/cvp', 'x')` -> `.../x`. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
