/**
 * Routes of the one app: the staff console under /console (sign-in with a company key), the
 * customer booking page /book/:branchId?key=<public key> and the self-service page /b/:token.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';

// Split by audience: a customer on a phone loads neither the console nor its chart library.
const ConsoleShell = lazy(() => import('./ConsoleShell').then((m) => ({ default: m.ConsoleShell })));
const BookingPage = lazy(() => import('../features/booking-page/BookingPage').then((m) => ({ default: m.BookingPage })));
const ManagePage = lazy(() => import('../features/self-service/ManagePage').then((m) => ({ default: m.ManagePage })));
const loading = (page: ReactNode) => <Suspense fallback={<p aria-live="polite">…</p>}>{page}</Suspense>;

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 5_000 } },
});

const router = createBrowserRouter([
  { path: '/console/*', element: loading(<ConsoleShell />) },
  { path: '/book/:branchId', element: loading(<BookingPage />) },
  { path: '/b/:token', element: loading(<ManagePage />) },
  { path: '*', element: <Navigate to="/console" replace /> },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
