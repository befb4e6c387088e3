/** PromQL helpers for checking dashboards: Grafana macro substitution and a syntax check. */
import { parser } from '@prometheus-io/lezer-promql';

/**
 * Replaces Grafana's `$__rate_interval` (and `$__interval`) and dashboard variables, as Grafana
 * does before it sends a query to Prometheus. Multi-value variables become a regex alternation.
 */
export function substituteGrafana(
  expr: string,
  opts: { rateInterval: string; variables: Record<string, string | string[]> },
): string {
  const withMacros = expr
    .replaceAll('$__rate_interval', opts.rateInterval)
    .replaceAll('$__interval', opts.rateInterval);
  return withMacros.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
    const value = opts.variables[name];
    if (value === undefined) return whole;
    return Array.isArray(value) ? `(${value.join('|')})` : value;
  });
}

/** Syntax errors of a PromQL expression as "offset N: text" strings; empty when it parses. */
export function promqlSyntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`offset ${node.from}: "${expr.slice(node.from, node.to + 10)}"`);
    },
  });
  return errors;
}

/** Metric names (identifiers in selector position) an expression reads. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.add(expr.slice(node.from, node.to));
      }
    },
  });
  return [...names];
}
