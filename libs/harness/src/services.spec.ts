import { servicePortOffset } from './services';

describe('servicePortOffset', () => {
  it('is 0 unless CVP_SERVICE_PORT_OFFSET says otherwise', () => {
    expect(servicePortOffset({})).toBe(0);
    expect(servicePortOffset({ CVP_SERVICE_PORT_OFFSET: '1000' })).toBe(1000);
  });

  it('refuses what is not a usable offset', () => {
    for (const bad of ['-1', '1.5', 'abc', '70000'])
      expect(() => servicePortOffset({ CVP_SERVICE_PORT_OFFSET: bad })).toThrow(/CVP_SERVICE_PORT_OFFSET/);
  });
});
