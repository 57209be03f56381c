/**
 * The signed-in console: navigation by role (front desk for every role that may book, support
 * for support and manager, dashboard, catalog and keys for managers) and the feature pages.
 */
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { SignIn } from '../features/auth/SignIn';
import { useAuth, type Role } from '../features/auth/auth';
import { CatalogPage } from '../features/dashboard/CatalogPage';
import { IntegrationsPage } from '../features/dashboard/IntegrationsPage';
import { KeysPage } from '../features/dashboard/KeysPage';
import { DayView } from '../features/front-desk/DayView';
import { SupportDesk } from '../features/support/SupportDesk';
import { WebhooksPage } from '../features/webhooks/WebhooksPage';

const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));

const SECTIONS: Array<{ path: string; label: string; roles: Role[] }> = [
  { path: 'front-desk', label: 'Front desk', roles: ['manager', 'booking'] },
  { path: 'support', label: 'Support', roles: ['manager', 'support'] },
  { path: 'dashboard', label: 'Dashboard', roles: ['manager', 'support'] },
  { path: 'catalog', label: 'Catalog', roles: ['manager'] },
  { path: 'integrations', label: 'Integrations', roles: ['manager'] },
  { path: 'webhooks', label: 'Webhooks', roles: ['manager'] },
  { path: 'keys', label: 'Keys', roles: ['manager'] },
];

export function ConsoleShell() {
  const auth = useAuth();
  const queryClient = useQueryClient();
  const [, rerender] = useState(0);
  if (!auth.signedIn) return <SignIn onSignedIn={() => rerender((n) => n + 1)} />;
  const sections = SECTIONS.filter((s) => s.roles.includes(auth.role));
  const signOut = () => {
    auth.signOut();
    queryClient.clear();
    rerender((n) => n + 1);
  };
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Booking console</span>
        <nav aria-label="Sections">
          {sections.map((s) => (
            <NavLink key={s.path} to={`/console/${s.path}`} className={({ isActive }) => (isActive ? 'active' : undefined)}>
              {s.label}
            </NavLink>
          ))}
        </nav>
        <span className="who">
          role: <strong>{auth.role}</strong>{' '}
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">
        <Routes>
          <Route index element={<Navigate to={sections[0]?.path ?? 'front-desk'} replace />} />
          <Route path="front-desk" element={<DayView />} />
          <Route path="support" element={<SupportDesk />} />
          <Route path="dashboard" element={<Suspense fallback={<p>Loading…</p>}><DashboardPage /></Suspense>} />
          <Route path="catalog" element={<CatalogPage />} />
          <Route path="integrations" element={<IntegrationsPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="keys" element={<KeysPage />} />
          <Route path="*" element={<Navigate to="/console" replace />} />
        </Routes>
      </main>
    </div>
  );
}
