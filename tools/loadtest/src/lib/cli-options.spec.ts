import { describe, expect, it } from '@jest/globals';
import { CliOptionsError, cliHelp, optionName, parseCliOptions } from './cli-options.js';

const SCHEMA = {
  scenario: { kind: 'choice', choices: ['idle', 'restart'], default: 'idle', description: 'What to run.' },
  connections: { kind: 'number', integer: true, min: 1, default: 1000, description: 'Connections.' },
  rate: { kind: 'number', min: 0.5, description: 'Per second.' },
  url: { kind: 'text', placeholder: 'WS_URL', description: 'Target.' },
  sizes: { kind: 'list', min: 1, default: [1, 2], description: 'Sizes.' },
  servers: { kind: 'choice-list', choices: ['a', 'b'], default: ['a', 'b'], description: 'Servers.' },
  smoke: { kind: 'flag', description: 'Short.' },
  docs: { kind: 'flag', default: true, description: 'Write docs.' },
} as const;

describe('optionName', () => {
  it('turns a camelCase key into the kebab-case option name', () => {
    expect(optionName('eventsPerSecond')).toBe('events-per-second');
    expect(optionName('url')).toBe('url');
  });
});

describe('parseCliOptions', () => {
  it('applies the defaults when nothing is given', () => {
    expect(parseCliOptions([], SCHEMA)).toEqual({
      help: false,
      scenario: 'idle',
      connections: 1000,
      rate: undefined,
      url: undefined,
      sizes: [1, 2],
      servers: ['a', 'b'],
      smoke: false,
      docs: true,
    });
  });

  it('reads --name=value and --name value forms', () => {
    const options = parseCliOptions(['--scenario=restart', '--connections', '2000', '--rate=2.5', '--url=ws://127.0.0.1:1/ws'], SCHEMA);
    expect(options).toMatchObject({ scenario: 'restart', connections: 2000, rate: 2.5, url: 'ws://127.0.0.1:1/ws' });
  });

  it('reads lists and lists of choices', () => {
    expect(parseCliOptions(['--sizes=10, 20', '--servers=b'], SCHEMA)).toMatchObject({ sizes: [10, 20], servers: ['b'] });
  });

  it('turns flags on and off', () => {
    expect(parseCliOptions(['--smoke', '--no-docs'], SCHEMA)).toMatchObject({ smoke: true, docs: false });
    expect(parseCliOptions(['--docs=false'], SCHEMA)).toMatchObject({ docs: false });
  });

  it('sees --help and -h', () => {
    expect(parseCliOptions(['-h'], SCHEMA).help).toBe(true);
    expect(parseCliOptions(['--help'], SCHEMA).help).toBe(true);
  });

  it('does not let one parse change the schema defaults of the next', () => {
    parseCliOptions([], SCHEMA).sizes.push(3);
    expect(parseCliOptions([], SCHEMA).sizes).toEqual([1, 2]);
  });

  it.each([
    [['--conections=5'], 'Unknown option --conections. Run with --help to see the options.'],
    [['--connections=0'], '--connections must be a whole number of at least 1, but is "0".'],
    [['--connections=1.5'], '--connections must be a whole number of at least 1, but is "1.5".'],
    [['--scenario=storm'], '--scenario must be one of idle, restart, but is "storm".'],
    [['--sizes=1,x'], '--sizes takes a comma-separated list of whole numbers of at least 1, but is "1,x".'],
    [['--servers=a,c'], '--servers takes a comma-separated list of a, b, but is "a,c".'],
    [['--url'], '--url needs a value, e.g. --url=WS_URL.'],
    [['--smoke=yes'], '--smoke is a switch: write --smoke or --no-smoke, not --smoke=yes.'],
    [['idle'], 'Unexpected argument "idle": options are written --name=value. Run with --help to see them.'],
  ])('refuses %j with a sentence that says what to do', (argv, message) => {
    expect(() => parseCliOptions(argv, SCHEMA)).toThrow(new CliOptionsError(message));
  });
});

describe('cliHelp', () => {
  it('lists every option with its placeholder, description and default, then --help', () => {
    const help = cliHelp(['Usage: tool [options]'], SCHEMA);
    expect(help.split('\n').slice(0, 3)).toEqual(['Usage: tool [options]', '', 'Options:']);
    expect(help).toMatch(/ {2}--scenario=idle\|restart +What to run\. \(default idle\)/);
    expect(help).toMatch(/ {2}--connections=N +Connections\. \(default 1000\)/);
    expect(help).toMatch(/ {2}--url=WS_URL +Target\.$/m);
    expect(help).toMatch(/ {2}--sizes=N,N,\.\.\. +Sizes\. \(default 1,2\)/);
    expect(help).toMatch(/ {2}--docs +Write docs\. \(on by default; --no-docs turns it off\)/);
    expect(help.split('\n').at(-1)).toMatch(/^ {2}--help +Show this text\.$/);
  });
});
