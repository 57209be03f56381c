import { ApiProblem } from '../lib/api-client';

/** An error as the API explained it (problem detail, violations, field errors). */
export function ProblemView({ error }: { error: unknown }) {
  if (!error) return null;
  const lines = error instanceof ApiProblem ? error.messages() : [(error as Error).message ?? String(error)];
  return (
    <div role="alert" className="error">
      {lines.map((line, i) => (
        <p key={i}>{line}</p>
      ))}
    </div>
  );
}
