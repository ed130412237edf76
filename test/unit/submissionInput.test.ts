import { checkRef, checkRepoUrl, checkSubdir } from '../../server/lib/submissionInput';

const policy = { allowedHosts: ['github.com', 'gitlab.com'], httpHosts: ['127.0.0.1'] };

describe('checkRepoUrl', () => {
  test.each([
    ['https://github.com/ada/auth-service', 'https://github.com/ada/auth-service'],
    ['  https://github.com/ada/auth-service.git  ', 'https://github.com/ada/auth-service.git'],
    ['https://GitHub.com/ada/auth-service/', 'https://github.com/ada/auth-service'],
    ['http://127.0.0.1:8080/learner/app.git', 'http://127.0.0.1:8080/learner/app.git'],
  ])('When %s is submitted, then it is accepted as %s', (input, normalized) => {
    expect(checkRepoUrl(input, policy)).toEqual({ ok: true, value: normalized });
  });

  test.each([
    ['', /Enter the URL/],
    ['github.com/ada/app', /is not a valid URL/],
    ['--upload-pack=touch', /must not start with "-"/],
    ['ext::sh', /transport helpers/],
    ['file:///etc/passwd', /"file" scheme is not accepted/],
    ['http://github.com/ada/app', /Only https/],
    ['https://user:token@github.com/ada/app', /Remove the credentials/],
    ['https://evil.example.com/ada/app', /"evil.example.com" are not accepted/],
    ['https://github.com/ada', /should point at a repository/],
    ['https://github.com/ada/-x', /should point at a repository/],
    ['https://github.com/ada/app?ref=main', /Remove the "\?…"/],
    ['https://github.com/ada/app\u0000', /control characters/],
  ])('When %j is submitted, then it is refused with a specific reason', (input, reason) => {
    const checked = checkRepoUrl(input, policy);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });
});

describe('checkRef and checkSubdir', () => {
  test('When a ref is empty, then none is used; when valid, it is kept', () => {
    expect(checkRef('')).toEqual({ ok: true, value: null });
    expect(checkRef('feature/phase-1')).toEqual({ ok: true, value: 'feature/phase-1' });
  });
  test.each(['-b', '--upload-pack=x', 'a..b', 'main.lock', 'a b', 'x/', '/x'])('When the ref is %j, then it is refused', (ref) => {
    expect(checkRef(ref).ok).toBe(false);
  });
  test('When a subdirectory is given, then it is normalised', () => {
    expect(checkSubdir('./services/auth/')).toEqual({ ok: true, value: 'services/auth' });
  });
  test.each(['../etc', 'a/../../b', '/abs', 'a/-rf', 'a//b'])('When the subdirectory is %j, then it is refused', (dir) => {
    expect(checkSubdir(dir).ok).toBe(false);
  });
});

describe('Hostile URLs, branches and folders (the clone never sees them)', () => {
  test.each([
    ['-x', /must not start with "-"/],
    ['--upload-pack=touch /tmp/pwned', /spaces or control characters|must not start with "-"/],
    ['--upload-pack=touch', /must not start with "-"/],
    ['-utouch', /must not start with "-"/],
    ['--config=core.sshCommand=touch', /must not start with "-"/],
    ['ext::sh -c touch% /tmp/pwned', /spaces or control characters|transport helpers/],
    ['ext::sh', /transport helpers/],
    ['fd::17', /transport helpers/],
    ['file:///etc', /"file" scheme is not accepted/],
    ['FILE:///etc/passwd', /"file" scheme is not accepted/],
    ['ssh://git@github.com/ada/app', /"ssh" scheme is not accepted/],
    ['git://github.com/ada/app', /"git" scheme is not accepted/],
    ['git@github.com:ada/app.git', /is not a valid URL|scheme is not accepted/],
    ['https://user:pass@github.com/a/b', /Remove the credentials/],
    ['https://token@github.com/a/b', /Remove the credentials/],
    ['https://:pass@github.com/a/b', /Remove the credentials/],
    ['https://169.254.169.254/latest/meta-data', /"169.254.169.254" are not accepted/],
    ['https://localhost/a/b', /"localhost" are not accepted/],
    ['https://github.com.evil.example/a/b', /"github.com.evil.example" are not accepted/],
    ['https://github.com@evil.example/a/b', /Remove the credentials|are not accepted/],
    ['http://127.0.0.2/a/b', /Only https/],
    ['https://github.com/ada/--upload-pack=x', /should point at a repository/],
    ['https://github.com/ada/../../etc', /should point at a repository/],
  ])('When the URL %j is submitted, then it is refused', (input, reason) => {
    const checked = checkRepoUrl(input, policy);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });

  test.each(['-', '-utouch', '--upload-pack=touch', '--upload-pack=touch /tmp/pwned', '--config=x', 'main;touch', 'main$(id)', 'a\nb', '`id`'])(
    'When the branch is %j, then it is refused',
    (ref) => {
      expect(checkRef(ref)).toEqual({ ok: false, reason: expect.stringMatching(/is not a valid branch name/) });
    },
  );

  test.each(['-rf', '--upload-pack=touch', 'apps/--upload-pack=x', 'a/-', '..', 'a/..', '.', 'a b', 'a;b', '$(id)'])(
    'When the folder is %j, then it is refused',
    (dir) => {
      expect(checkSubdir(dir)).toEqual({ ok: false, reason: expect.stringMatching(/is not a valid folder inside the repository/) });
    },
  );
});
