import { MAX_PAGE_SIZE, PermanentError, type PageTask } from '@rdc/contracts';

/** ceil(total / pageSize): 0 records → 0 pages. */
export function pageCount(total: number, pageSize: number): number {
  if (!Number.isInteger(total) || total < 0)
    throw new RangeError(`Expected total to be an integer >= 0, got \`${total}\``);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`Expected pageSize to be an integer in 1..${MAX_PAGE_SIZE}, got \`${pageSize}\``);
  }
  return Math.ceil(total / pageSize);
}

/** Records page `page` (1-based) must hold: pageSize, or the remainder on the last page. */
export function expectedRecords(task: Pick<PageTask, 'page' | 'pages' | 'pageSize' | 'total'>): number {
  if (task.page < 1 || task.page > task.pages) {
    throw new PermanentError(`Page ${task.page} is outside the run's ${task.pages} pages.`);
  }
  if (task.page < task.pages) return task.pageSize;
  return task.total - (task.pages - 1) * task.pageSize;
}
