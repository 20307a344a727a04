import { ValidationError } from '../errors';
import { escapeKey, odataString, unescapeKey } from './keys';

describe('key escaping', () => {
  it('encodes every character Table Storage refuses, and the escape and index characters', () => {
    expect(escapeKey('a/b\\c#d?e%f!g')).toBe('a%2Fb%5Cc%23d%3Fe%25f%21g');
    expect(escapeKey('tab\there\u0000\u001f\u007f\u009f')).toBe('tab%09here%00%1F%7F%9F');
  });

  it('leaves ordinary keys readable, so prefix ranges still work', () => {
    expect(escapeKey('+15551234567')).toBe('+15551234567');
    expect(escapeKey('Jane Doe ünï ☎')).toBe('Jane Doe ünï ☎');
  });

  it('round-trips anything', () => {
    for (const value of ['%41', '%%', '100% sure?', '/\\#?!', 'plain', '\u0001\u0002']) expect(unescapeKey(escapeKey(value))).toBe(value);
  });

  it('refuses keys too long for the service', () => {
    expect(() => escapeKey('x'.repeat(1025))).toThrow(ValidationError);
    expect(() => escapeKey('/'.repeat(400))).toThrow(/at most 1024/);
  });

  it('quotes OData string literals', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
  });
});
