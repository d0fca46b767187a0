export type LogisticFit = {
  intercept: number;
  coefficients: number[];
  iterations: number;
  logLikelihood: number;
};

export type LogisticOptions = { maxIterations?: number; tolerance?: number; ridge?: number };

/**
 * Logistic regression by Newton–Raphson (iteratively reweighted least squares): P(y = 1) =
 * 1 / (1 + e^−(b0 + Σ bj·xj)). `x` is row-major, `rows × columns`. Each step solves the normal
 * equations with a Cholesky factorisation; a tiny ridge keeps the Hessian positive definite. The
 * arithmetic runs in a fixed order, so the same data always gives the same coefficients.
 */
export function fitLogistic(
  x: Float64Array,
  y: Uint8Array,
  rows: number,
  columns: number,
  options: LogisticOptions = {},
): LogisticFit {
  const { maxIterations = 50, tolerance = 1e-10, ridge = 1e-8 } = options;
  const p = columns + 1;
  const beta = new Float64Array(p);
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  const row = new Float64Array(p);
  let logLikelihood = Number.NEGATIVE_INFINITY;
  let iterations = 0;

  for (; iterations < maxIterations; ) {
    iterations++;
    gradient.fill(0);
    hessian.fill(0);
    logLikelihood = 0;
    for (let i = 0; i < rows; i++) {
      row[0] = 1;
      let eta = beta[0] as number;
      for (let j = 0; j < columns; j++) {
        const value = x[i * columns + j] as number;
        row[j + 1] = value;
        eta += (beta[j + 1] as number) * value;
      }
      const prob = 1 / (1 + Math.exp(-eta));
      const target = y[i] as number;
      logLikelihood += target === 1 ? logSigmoid(eta) : logSigmoid(-eta);
      const residual = target - prob;
      const weight = prob * (1 - prob);
      for (let a = 0; a < p; a++) {
        const ra = row[a] as number;
        gradient[a] = (gradient[a] as number) + residual * ra;
        const wa = weight * ra;
        for (let b = 0; b <= a; b++)
          hessian[a * p + b] = (hessian[a * p + b] as number) + wa * (row[b] as number);
      }
    }
    for (let a = 0; a < p; a++) {
      hessian[a * p + a] = (hessian[a * p + a] as number) + ridge;
      gradient[a] = (gradient[a] as number) - (a === 0 ? 0 : ridge * (beta[a] as number));
    }
    const step = solveCholesky(hessian, gradient, p);
    let largest = 0;
    for (let a = 0; a < p; a++) {
      beta[a] = (beta[a] as number) + (step[a] as number);
      largest = Math.max(largest, Math.abs(step[a] as number));
    }
    if (largest < tolerance) break;
  }
  return {
    intercept: beta[0] as number,
    coefficients: Array.from(beta.subarray(1)),
    iterations,
    logLikelihood,
  };
}

function logSigmoid(eta: number): number {
  return eta >= 0 ? -Math.log1p(Math.exp(-eta)) : eta - Math.log1p(Math.exp(eta));
}

/** Solves A·s = g for a symmetric positive-definite A given by its lower triangle (row-major, n × n). */
function solveCholesky(a: Float64Array, g: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (!(sum > 0)) throw new Error("logistic regression: Hessian is not positive definite");
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / (l[j * n + j] as number);
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = g[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (z[k] as number);
    z[i] = sum / (l[i * n + i] as number);
  }
  const s = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (s[k] as number);
    s[i] = sum / (l[i * n + i] as number);
  }
  return s;
}
