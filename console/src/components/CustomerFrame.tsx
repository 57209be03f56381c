/** The frame of the customer pages: the page's language and title, one heading, phone-first width. */
import type { ReactNode } from 'react';

export function CustomerFrame({ title, lang, children }: { title: string; lang: string; children: ReactNode }) {
  if (document.documentElement.lang !== lang) document.documentElement.lang = lang;
  if (document.title !== title) document.title = title;
  return (
    <main id="main" className="customer" lang={lang}>
      <h1>{title}</h1>
      {children}
    </main>
  );
}
