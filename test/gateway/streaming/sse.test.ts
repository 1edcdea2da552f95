import { SseParser } from '../../../lambda/gateway/sse';

describe('SseParser', () => {
  const events = 'data: {"a":1}\n\ndata:{"b":2}\r\n\r\n: comment\nevent: error\ndata: x\ndata: y\n\ndata: [DONE]\r\r';

  it('reads events however the text is cut: inside a line, between CR and LF, inside "data:"', () => {
    for (let cut = 0; cut <= events.length; cut++) {
      for (let second = cut; second <= events.length; second += 7) {
        const p = new SseParser();
        const got = [...p.push(events.slice(0, cut)), ...p.push(events.slice(cut, second)), ...p.push(events.slice(second))];
        expect(got).toEqual([{ data: '{"a":1}' }, { data: '{"b":2}' }, { event: 'error', data: 'x\ny' }, { data: '[DONE]' }]);
      }
    }
  });

  it('holds an unfinished line and says how much', () => {
    const p = new SseParser();
    expect(p.push('data: {"par')).toEqual([]);
    expect(p.buffered).toBe(11);
  });
});
