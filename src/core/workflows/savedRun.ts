import type { Trajectory } from '../rlm/trajectory';

/**
 * Runs a workflow and, when a trajectory file is asked for, saves the trajectory with the run's metadata and its
 * result, or with the error when it fails (a failed save never hides the run's own error).
 */
export async function withSavedTrajectory<T>(
  file: string | undefined,
  trajectory: Trajectory,
  meta: () => Record<string, unknown>,
  run: () => Promise<{ result: T; saved?: Record<string, unknown> }>,
): Promise<T> {
  try {
    const { result, saved } = await run();
    if (file) await trajectory.save(file, { ...meta(), ...(saved ?? { result }) });
    return result;
  } catch (err) {
    if (file) await trajectory.save(file, { ...meta(), error: (err as Error).message }).catch(() => undefined);
    throw err;
  }
}
