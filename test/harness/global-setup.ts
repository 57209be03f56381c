// Placeholder until the harness lands: the setup work replaces this with the real service bootstrap.
export default async function globalSetup(): Promise<void> {}
