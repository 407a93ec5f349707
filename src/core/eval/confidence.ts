/** A 95% confidence interval for a proportion: Wilson's score interval, sound for small samples and 0 or 100%. */
export function wilsonInterval(correct: number, total: number, z = 1.959964): { low: number; high: number } {
  if (total === 0) return { low: 0, high: 1 };
  const p = correct / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / (1 + z2 / total);
  // Exactly 0 and 1 at the ends, where floating point would leave 1e-16 off.
  return { low: correct === 0 ? 0 : Math.max(0, centre - half), high: correct === total ? 1 : Math.min(1, centre + half) };
}
