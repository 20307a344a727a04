import { classifyKeyword, keywordOf } from './opt-out-keywords';

describe('classifyKeyword', () => {
  it.each(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'])('%s blocks', (word) => {
    expect(classifyKeyword(word)).toBe('stop');
  });

  it.each(['START', 'UNSTOP'])('%s re-subscribes', (word) => {
    expect(classifyKeyword(word)).toBe('start');
  });

  it.each(['HELP', 'INFO'])('%s asks for help', (word) => {
    expect(classifyKeyword(word)).toBe('help');
  });

  it('ignores case, surrounding whitespace and trailing punctuation', () => {
    expect(classifyKeyword('stop')).toBe('stop');
    expect(classifyKeyword('  Stop.  ')).toBe('stop');
    expect(classifyKeyword('STOP!!')).toBe('stop');
    expect(classifyKeyword('\tunsubscribe?\n')).toBe('stop');
    expect(classifyKeyword('Start!')).toBe('start');
    expect(classifyKeyword('help?')).toBe('help');
    expect(classifyKeyword('Info.')).toBe('help');
  });

  it('counts only the whole message', () => {
    expect(classifyKeyword('stop texting me')).toBeUndefined();
    expect(classifyKeyword('please stop')).toBeUndefined();
    expect(classifyKeyword('STOP ALL')).toBeUndefined();
    expect(classifyKeyword('stopp')).toBeUndefined();
    expect(classifyKeyword('.stop')).toBeUndefined();
    expect(classifyKeyword('I need help')).toBeUndefined();
  });

  it('keeps to the listed words', () => {
    for (const word of ['YES', 'NO', 'OK', 'SUBSCRIBE', '', '   ', '!!!', 'constructor', 'toString']) expect(classifyKeyword(word)).toBeUndefined();
  });

  it('normalizes the word it stores', () => {
    expect(keywordOf('  stopall! ')).toBe('STOPALL');
  });
});
