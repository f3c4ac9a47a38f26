/**
 * The settings of README "Scaling out": replica URLs, the lag bound, transaction pooling, and
 * what transaction pooling changes in the ORM's connection settings.
 */
import { ConfigError, loadConfig } from '../src/config';
import { ormConfig } from '../src/db/orm';

const PRIMARY = 'postgresql://ae:secret@db:5432/acoustic_emissions';

describe('AE_DATABASE_REPLICA_URLS and AE_MAX_REPLICA_LAG_S', () => {
  it('reads a comma list (spaces and empty items ignored, any accepted URL form) and defaults the lag bound to 5 s', () => {
    const c = loadConfig({
      AE_DATABASE_URL: PRIMARY,
      AE_DATABASE_REPLICA_URLS:
        ' postgresql://ae:secret@standby1:5432/acoustic_emissions , postgresql+psycopg://ae@standby2/acoustic_emissions,',
    });
    expect(c.replicas).toEqual({
      urls: ['postgresql://ae:secret@standby1:5432/acoustic_emissions', 'postgresql://ae@standby2/acoustic_emissions'],
      maxLagS: 5,
    });
    expect(loadConfig({}).replicas).toEqual({ urls: [], maxLagS: 5 });
    expect(loadConfig({ AE_MAX_REPLICA_LAG_S: '0.5' }).replicas.maxLagS).toBe(0.5);
  });

  it('refuses replicas without a primary, a bad URL (naming which, without its password) and a lag bound that is not a positive number', () => {
    expect(() => loadConfig({ AE_DATABASE_REPLICA_URLS: 'postgresql://ae@standby1/acoustic_emissions' })).toThrow(
      /needs AE_DATABASE_URL/,
    );
    const bad = () =>
      loadConfig({ AE_DATABASE_URL: PRIMARY, AE_DATABASE_REPLICA_URLS: `${PRIMARY},mysql://ae:hunter22@standby2/x` });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/AE_DATABASE_REPLICA_URLS, URL 2/);
    expect(bad).not.toThrow(/hunter22/);
    for (const v of ['0', '-1', 'soon', 'NaN'])
      expect(() => loadConfig({ AE_MAX_REPLICA_LAG_S: v })).toThrow(/AE_MAX_REPLICA_LAG_S must be a positive number/);
  });
});

describe('AE_TRANSACTION_POOLING', () => {
  it('is off by default and takes 1/0 or true/false only', () => {
    expect(loadConfig({}).transactionPooling).toBe(false);
    expect(loadConfig({ AE_TRANSACTION_POOLING: '1' }).transactionPooling).toBe(true);
    expect(loadConfig({ AE_TRANSACTION_POOLING: 'false' }).transactionPooling).toBe(false);
    expect(() => loadConfig({ AE_TRANSACTION_POOLING: 'yes' })).toThrow(/AE_TRANSACTION_POOLING must be 1 or 0/);
  });

  it('moves the statement time limit from the connection settings (PgBouncer refuses it there) into every transaction', () => {
    const direct = ormConfig({ url: PRIMARY, statementTimeoutMs: 5000 }) as any;
    expect(direct.driverOptions.connection.statement_timeout).toBe(5000);
    expect(direct.subscribers).toEqual([]);
    const pooled = ormConfig({ url: PRIMARY, statementTimeoutMs: 5000, transactionPooling: true }) as any;
    expect(pooled.driverOptions.connection.statement_timeout).toBeUndefined();
    expect(pooled.subscribers).toHaveLength(1);
    expect(typeof pooled.subscribers[0].afterTransactionStart).toBe('function');
  });
});
