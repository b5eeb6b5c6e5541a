// Launches Debian's Chromium through playwright-core with the flags CI
// uses, in a fresh profile each time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.WISP_CHROMIUM ?? '/usr/bin/chromium';

const flags = ['--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * A persistent context in a fresh user-data-dir (so OPFS and the service
 * worker live as long as the context). webgpu: false disables WebGPU.
 */
export async function launch({ webgpu = false, viewport = { width: 1100, height: 760 } } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'wisp-chromium-'));
  const args = [...flags];
  if (!webgpu) args.push('--disable-features=WebGPU', '--disable-gpu');
  else args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader');
  const context = await chromium.launchPersistentContext(dir, { executablePath: chromiumPath, headless: true, args, viewport });
  return {
    context,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
