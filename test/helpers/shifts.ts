/** One shift a day that began four hours ago, so that a test run never crosses a shift change (the counts start again at one). */
export function shiftsAroundNow(): { starts: string[] } {
  const earlier = new Date(Date.now() - 4 * 3_600_000);
  return { starts: [`${String(earlier.getHours()).padStart(2, '0')}:${String(earlier.getMinutes()).padStart(2, '0')}`] };
}
