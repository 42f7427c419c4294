import { findLink, parseLinkHeader } from '@rdc/source/link-header.js';
import { expect } from 'chai';

describe('source: Link header parsing (RFC 8288)', () => {
  it('parses several links and finds rel="next"', () => {
    const header =
      '<https://api.example.com/items?page=2&limit=50>; rel="next", <https://api.example.com/items?page=9>; rel="last"';
    const links = parseLinkHeader(header);
    expect(links).to.have.length(2);
    expect(findLink(links, 'next')?.uri).to.equal('https://api.example.com/items?page=2&limit=50');
    expect(findLink(links, 'LAST')?.uri).to.equal('https://api.example.com/items?page=9');
    expect(findLink(links, 'prev')).to.equal(undefined);
  });

  it('keeps commas and semicolons inside <...> and inside quoted params', () => {
    const header = '<https://x.test/a?ids=1,2;3>; title="next, or; not"; rel="next", </b?c=d>; rel=prev';
    const links = parseLinkHeader(header);
    expect(links.map((l) => l.uri)).to.deep.equal(['https://x.test/a?ids=1,2;3', '/b?c=d']);
    expect(links[0]?.params.title).to.equal('next, or; not');
    expect(links[0]?.rels).to.deep.equal(['next']);
    expect(links[1]?.rels).to.deep.equal(['prev']);
  });

  it('handles several relation types, unquoted and uppercase values, escapes and extra whitespace', () => {
    const links = parseLinkHeader('  < /p2 > ;REL = "Next  last" ; title="say \\"hi\\"" ,<p3>;rel=Prev ');
    expect(links[0]).to.deep.include({ uri: '/p2', rels: ['next', 'last'] });
    expect(links[0]?.params.title).to.equal('say "hi"');
    expect(findLink(links, 'next')?.uri).to.equal('/p2');
    expect(findLink(links, 'prev')?.uri).to.equal('p3');
  });

  it('uses the first rel param and accepts valueless params', () => {
    const links = parseLinkHeader('</a>; crossorigin; rel=next; rel=prev');
    expect(links[0]?.rels).to.deep.equal(['next']);
    expect(links[0]?.params).to.have.property('crossorigin', '');
  });

  it('joins repeated headers and skips malformed links without losing good ones', () => {
    expect(parseLinkHeader(['</a>; rel=prev', '</b>; rel=next']).map((l) => l.uri)).to.deep.equal(['/a', '/b']);
    const links = parseLinkHeader('garbage, </ok>; rel=next, <unterminated; rel=next');
    expect(links.map((l) => l.uri)).to.deep.equal(['/ok']);
    expect(parseLinkHeader('</x> junk; rel=next, </y>; rel=next').map((l) => l.uri)).to.deep.equal(['/y']);
  });

  it('returns nothing for an empty or missing header', () => {
    expect(parseLinkHeader(undefined)).to.deep.equal([]);
    expect(parseLinkHeader('')).to.deep.equal([]);
    expect(parseLinkHeader(' , ,')).to.deep.equal([]);
  });
});
