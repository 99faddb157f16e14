import { ProblemType } from '@gitops-backstage/plugin-gitops-common';

/** The one-line hint per failure mode (failure-modes.md, from the seeds' recovery options). */
export const HINTS: Record<ProblemType, string> = {
  CrashLoopBackOff:
    "Read the container's last logs; if a new version started this, roll back the environment (a commit) and fix forward.",
  ImagePullBackOff:
    'Does the tag exist in the registry? Check pull credentials and registry availability; pods of the old version keep serving.',
  OOMKilled:
    'Memory limit too low or a leak: raise resources.limits.memory in the overlay, or fix the leak.',
  ProbeFailing:
    'The health endpoint fails or times out: check its dependencies (database), probe timeouts and CPU saturation.',
  Unschedulable:
    'Requests do not fit any node: lower requests, add nodes, or check taints and affinity.',
  VolumePending:
    'A ReadWriteOnce volume is still attached to a dead node, or there is no StorageClass: detach it or fix the claim.',
  HPAAtMax:
    'Demand exceeds the ceiling: raise maxReplicas (a commit) or find the hot path; CPU-based scaling misses connection-pool exhaustion.',
  RolloutStuck:
    "New pods never become ready: see the pods' problems; roll back if users are affected.",
  SyncFailed:
    'The manifests in Git do not apply: read the message and fix the overlay in Git.',
  SourceNotReady:
    'The controller cannot fetch Git: the cluster keeps the last applied state and new commits wait until the source recovers.',
  Suspended:
    'Reconciliation is paused: resume it when the incident is over, or changes in Git are not applied.',
  StaleReconcile:
    'The controller is not reconciling: check the controller pods and the API server.',
  Drift:
    'The cluster differs from Git: with self-heal off, sync; a manual kubectl change is reverted on the next sync.',
  VerificationFailed:
    'The version cannot go further: roll back this environment (a commit) or fix forward; re-run the verification once the cause is fixed.',
  AutomationFailed:
    "New images are not written to Git until it recovers: read the named object's message (registry access, tag policy, Git push credentials) and fix it; the environment keeps running its current version.",
  Unsigned:
    'No valid signature from an allowed identity on the running digest: sign the image in CI with the expected identity, or promote a signed version.',
  // Vulnerable and PolicyViolation name the package and the policy (securityProblems).
  Vulnerable:
    'Rebuild with the fixed version of the vulnerable package, or promote a fixed version.',
  PolicyViolation:
    "Change the workload to meet the failed policy rule (its message says how), or agree an exception with the policy's owners.",
  RolloutPaused:
    'The rollout waits at a pause step or for a person: promote it when the canary looks right, or wait for its analysis.',
  RolloutAborted:
    'The stable version keeps serving: read the failed metric and its measurements, then fix forward (a new commit) or retry once the cause is gone; roll back in Git to leave the aborted version.',
  CanaryFailed:
    'Flagger rolled the canary back and the primary keeps serving: read the failed checks, fix forward with a new commit (a new revision starts a new analysis).',
  AnalysisInconclusive:
    'The analysis could not decide (a measurement between its success and failure conditions, or errors): look at the metric, then promote or abort by hand.',
};
