/** The AppSync data source name of the table added with `addTable(id, …)`: the id's letters, digits and `_`, then `Table`. */
export function tableDataSourceName(id: string): string {
  return `${id.replace(/[\W]+/g, '')}Table`;
}
