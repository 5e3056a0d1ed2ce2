/**
 * @apollo/gateway reports the host (OS, CPU count and frequency, memory) to Apollo's collector hourly and on stop,
 * unless APOLLO_TELEMETRY_DISABLED says otherwise. Our router does not, unless the operator sets it to `false`.
 */
import * as gatewayTelemetry from '@apollo/gateway/dist/utilities/opentelemetry';
import { boundedFetchers, createGateway, urlResolver } from '../router/gateway';
import { testConfig } from './support/harness';

const saved = process.env.APOLLO_TELEMETRY_DISABLED;
afterEach(() => {
  jest.restoreAllMocks();
  if (saved === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
  else process.env.APOLLO_TELEMETRY_DISABLED = saved;
});

async function exportersCreated(overrides: Record<string, string>): Promise<number> {
  // Counted, never run: a real exporter would try to reach Apollo's collector from the test machine.
  const exporter = jest.spyOn(gatewayTelemetry, 'createDataCollectionExporter').mockReturnValue({ shutdown: async () => undefined } as never);
  const config = testConfig(overrides);
  const fetchers = boundedFetchers(config);
  createGateway(config, urlResolver(config), fetchers);
  await fetchers.close();
  return exporter.mock.calls.length;
}

it('sends Apollo no usage metrics by default, whatever the process environment said', async () => {
  process.env.APOLLO_TELEMETRY_DISABLED = 'false';
  expect(await exportersCreated({ APOLLO_TELEMETRY_DISABLED: '' })).toBe(0);
});

it('sends them when the operator sets APOLLO_TELEMETRY_DISABLED=false', async () => {
  expect(await exportersCreated({ APOLLO_TELEMETRY_DISABLED: 'false' })).toBe(1);
});
