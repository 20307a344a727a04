import { countSegments } from '@switchboard/shared';
import { htmlToText, messageText, quoteForSms } from './message-text';

describe('htmlToText', () => {
  it('turns paragraphs and line breaks into lines, drops tags and keeps mention names', () => {
    expect(htmlToText('<p>Hi <at id="0">Olga</at>,</p><p>call <b>Jane</b><br/>today</p>')).toBe('Hi Olga,\ncall Jane\ntoday');
  });

  it('decodes named and numeric entities, and non-breaking spaces become spaces', () => {
    expect(htmlToText('Fish &amp; chips &lt;3 &quot;now&quot; &#39;ok&#39; &#x263A;&nbsp;+1&nbsp;206')).toBe('Fish & chips <3 "now" \'ok\' \u263a +1 206');
  });

  it('leaves an unknown entity as written and drops scripts and styles with their content', () => {
    expect(htmlToText('a &bogus; b<style>p{}</style><script>x()</script>')).toBe('a &bogus; b');
  });

  it('keeps at most one empty line between blocks', () => {
    expect(htmlToText('<div>one</div><div></div><div></div><div>two</div>')).toBe('one\n\ntwo');
  });
});

describe('messageText', () => {
  it('reads HTML bodies as HTML and text bodies as they are', () => {
    expect(messageText({ contentType: 'html', content: '<p>a &amp; b</p>' })).toBe('a & b');
    expect(messageText({ contentType: 'text', content: ' a &amp; b ' })).toBe('a &amp; b');
    expect(messageText(undefined)).toBe('');
  });
});

describe('quoteForSms', () => {
  it('quotes with straight quotes, which keep the SMS in GSM-7', () => {
    const quoted = quoteForSms('Running late');
    expect(quoted).toBe('"Running late"');
    expect(countSegments(quoted).encoding).toBe('GSM-7');
  });

  it('cuts a long text with "..." to leave room for an answer', () => {
    const quoted = quoteForSms('x'.repeat(2000));
    expect(quoted).toHaveLength(1 + 1200 + 3 + 1);
    expect(quoted.endsWith('x..."')).toBe(true);
  });

  it('quotes nothing for an empty text', () => {
    expect(quoteForSms('')).toBe('');
  });
});
