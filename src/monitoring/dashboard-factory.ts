import { Construct } from 'constructs';
import { DashboardOptions } from './dashboard-options';
import { PatternDashboard } from './pattern-dashboard';
import { NAME_RULES, Violations } from '../core/validation';

/**
 * The dashboard a pattern fills: the one handed in, a new one, or none (`dashboardEnabled:
 * false`). Internal; every new pattern calls this instead of `new PatternDashboard`.
 */
export function patternDashboard(scope: Construct, options: DashboardOptions, description: string): PatternDashboard | undefined {
  const v = new Violations(scope);
  v.name('DASHBOARD_NAME', 'dashboardName', options.dashboardName, NAME_RULES.dashboard);
  if (options.dashboard) {
    v.notSetWith('DASHBOARD_NAME_WITH_SHARED', 'dashboardName', options.dashboardName, 'together with dashboard (a shared dashboard has its own name)',
      'name the shared PatternDashboard where you create it, and remove dashboardName here');
  }
  v.throwIfAny();
  if (options.dashboard) return options.dashboard;
  if (options.dashboardEnabled === false) return undefined;
  return new PatternDashboard(scope, 'Dashboard', { dashboardName: options.dashboardName, description });
}
