// Launches Debian's Chromium through playwright-core with the flags CI
// uses. Each launch gets a fresh temporary profile (user-data-dir), and each
// test a fresh context in it (its own storage, OPFS and service workers).
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.WISP_CHROMIUM ?? '/usr/bin/chromium';

const flags = ['--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Starts Chromium; webgpu: false turns WebGPU off (the CPU-wasm path), true offers it through SwiftShader. */
export function launch({ webgpu = false } = {}) {
  const args = [...flags];
  if (webgpu) args.push('--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader');
  else args.push('--disable-features=WebGPU', '--disable-gpu');
  return chromium.launch({ executablePath: chromiumPath, headless: true, args });
}
