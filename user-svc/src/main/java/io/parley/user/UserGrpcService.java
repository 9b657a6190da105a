package io.parley.user;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenIssuer;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.data.PageTokens;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import io.parley.ratelimit.RateLimiter;
import io.parley.server.ClientAddresses;
import io.parley.session.Session;
import io.parley.session.SessionPolicy;
import io.parley.session.SessionState;
import io.parley.session.SessionStore;
import io.parley.session.Sessions;
import io.parley.session.StoredSession;
import io.parley.session.v1.SessionRecord;
import io.parley.user.v1.BatchGetUsersRequest;
import io.parley.user.v1.BatchGetUsersResponse;
import io.parley.user.v1.ChangePasswordRequest;
import io.parley.user.v1.ChangePasswordResponse;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.ListSessionsRequest;
import io.parley.user.v1.ListSessionsResponse;
import io.parley.user.v1.LoginRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.LogoutRequest;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.RegisterResponse;
import io.parley.user.v1.RevokeOtherSessionsRequest;
import io.parley.user.v1.RevokeOtherSessionsResponse;
import io.parley.user.v1.RevokeSessionRequest;
import io.parley.user.v1.SearchUsersRequest;
import io.parley.user.v1.SearchUsersResponse;
import io.parley.user.v1.SessionInfo;
import io.parley.user.v1.UpdateProfileRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code parley.user.v1.UserService}: accounts, login and sessions.
 *
 * <p>Who may call what comes from the methods' {@code (parley.common.v1.auth)} option, enforced by
 * the session interceptor: Register and Login are public, the rest act for the caller in {@link
 * Sessions#current()}. Expected failures are thrown as {@link ParleyException}s (bad input as
 * INVALID_ARGUMENT naming every bad field); what reaches the client is their reason and safe
 * message, never a cause, a token, a password or a hash.
 *
 * <p>Session attributes preloaded at login, for every service to read without a lookup: {@value
 * #USERNAME}, {@value #NICKNAME}, {@value #AVATAR_URL} and {@value #ROLES} ({@value #ROLE_USER}).
 *
 * <p>The rules of user-svc are written here, once (a username is taken once, the login throttle,
 * a password change needs the current password and wins only against the hash it was checked
 * against); the stores only persist.
 *
 * <p>Against hostile callers: Register and Login are rate-limited per client address, SearchUsers
 * per user ({@link UserSettings}); failed password checks are throttled per username <em>and</em>
 * client address and per address ({@link LoginFailureStore}), so that nobody can lock another
 * user out; and every password hash and check runs on the {@link HashingPool}, which answers the
 * call itself, so that a flood of them neither blocks the server's threads nor waits without
 * bound (a full queue fails PASSWORD_HASHING_BUSY at once).
 *
 * <p>Thread-safe: all state is in the stores.
 */
final class UserGrpcService extends UserServiceGrpc.UserServiceImplBase {
  private static final Logger logger = LoggerFactory.getLogger(UserGrpcService.class);

  static final String USERNAME = "username";
  static final String NICKNAME = "nickname";
  static final String AVATAR_URL = "avatar_url";
  static final String ROLES = "roles";
  static final String ROLE_USER = "user";

  private static final int DEFAULT_PAGE_SIZE = 20;
  private static final int MAX_PAGE_SIZE = 100;

  private final UserStore users;
  private final LoginFailureStore failures;
  private final PasswordHasher passwords;
  private final HashingPool hashing;
  private final RateLimiter limiter;
  private final UserSettings settings;
  private final SessionStore sessions;
  private final SessionPolicy policy;
  private final TokenIssuer tokens;
  private final Clock clock;

  UserGrpcService(
      UserStore users,
      LoginFailureStore failures,
      PasswordHasher passwords,
      HashingPool hashing,
      RateLimiter limiter,
      UserSettings settings,
      SessionStore sessions,
      SessionPolicy policy,
      TokenIssuer tokens,
      Clock clock) {
    this.users = requireNonNull(users, "users");
    this.failures = requireNonNull(failures, "failures");
    this.passwords = requireNonNull(passwords, "passwords");
    this.hashing = requireNonNull(hashing, "hashing");
    this.limiter = requireNonNull(limiter, "limiter");
    this.settings = requireNonNull(settings, "settings");
    this.sessions = requireNonNull(sessions, "sessions");
    this.policy = requireNonNull(policy, "policy");
    this.tokens = requireNonNull(tokens, "tokens");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
    FieldViolations violations = new FieldViolations();
    String username = UserFields.username(violations, "username", request.getUsername());
    UserFields.newPassword(violations, "password", request.getPassword());
    String nickname = request.getNickname().isEmpty()
        ? username
        : UserFields.nickname(violations, "nickname", request.getNickname());
    violations.throwIfAny();
    limiter.acquire(settings.registerLimit(), ClientAddresses.currentKey());

    String password = request.getPassword();
    hashing.reply(response, () -> {
      User user = User.newBuilder()
          .setUserId(Ids.newId("u"))
          .setUsername(username)
          .setNickname(nickname)
          .setCreateTime(Timestamps.fromMillis(clock.millis()))
          .build();
      if (!users.create(new Account(user, passwords.hash(password)))) {
        throw new ParleyException(ErrorReason.USERNAME_TAKEN, "username is taken");
      }
      logger.info("registered user {} as {}", user.getUserId(), username);
      return RegisterResponse.newBuilder().setUser(user).build();
    });
  }

  @Override
  public void login(LoginRequest request, StreamObserver<LoginResponse> response) {
    FieldViolations violations = new FieldViolations();
    String username = UserFields.username(violations, "username", request.getUsername());
    UserFields.password(violations, "password", request.getPassword());
    Terminal terminal = request.getTerminal();
    violations.check(terminal == Terminal.WEB || terminal == Terminal.MOBILE || terminal == Terminal.DESKTOP,
        "terminal", "must be WEB, MOBILE or DESKTOP");
    String deviceName = UserFields.deviceName(violations, "device_name", request.getDeviceName());
    violations.throwIfAny();
    String address = ClientAddresses.currentKey();
    limiter.acquire(settings.loginLimit(), address);

    String password = request.getPassword();
    hashing.reply(response, () -> beginPasswordCheck(username, address, null), check -> {
      Account account = check.verify(password)
          .orElseThrow(() -> new ParleyException(ErrorReason.INVALID_CREDENTIALS, "wrong username or password"));
      User user = account.user();
      String hash = account.passwordHash();
      if (passwords.needsRehash(hash) && users.replacePasswordHash(user.getUserId(), hash, passwords.hash(password))) {
        logger.info("upgraded the password hash of user {} to the configured parameters", user.getUserId());
      }
      return openSession(user, terminal, deviceName);
    });
  }

  private LoginResponse openSession(User user, Terminal terminal, String deviceName) {
    Instant now = clock.instant();
    Instant absoluteExpiry = now.plus(policy.absoluteLifetime());
    String sessionId = Ids.newSessionId();
    SessionRecord record = SessionRecord.newBuilder()
        .setSessionId(sessionId)
        .setUserId(user.getUserId())
        .setTerminal(terminal.getNumber())
        .setDeviceName(deviceName)
        .setCreateTimeMs(now.toEpochMilli())
        .setMaxInactiveMs(policy.maxInactive().toMillis())
        .setAbsoluteExpireTimeMs(absoluteExpiry.toEpochMilli())
        .putAllAttributes(attributes(user))
        .build();
    List<String> kicked = sessions.create(record, policy.terminalPolicy());
    String token = tokens.issueUserToken(
        user.getUserId(), sessionId, terminal, user.getUsername(), user.getNickname(), absoluteExpiry);
    logger.info("login user={} session={} terminal={} kicked={}", user.getUserId(), sessionId, terminal, kicked);

    StoredSession created = new StoredSession(record, SessionState.ACTIVE, now, null);
    return LoginResponse.newBuilder()
        .setAccessToken(token)
        .setTokenType("Bearer")
        .setExpireTime(Timestamps.fromMillis(absoluteExpiry.toEpochMilli()))
        .setSession(sessionInfo(created, sessionId))
        .setUser(user)
        .build();
  }

  /**
   * Begins a password check for {@code username} from the client {@code address} under the login
   * throttle, on the calling thread once the hashing pool has a place for it (so that a call
   * refused PASSWORD_HASHING_BUSY counts as no failure), and finds the account; the check itself
   * is {@link PasswordCheck#verify}, for the hashing pool.
   *
   * @param knownAccount the account, if the caller has it already (ChangePassword), else null
   * @throws ParleyException LOGIN_THROTTLED with a RetryInfo and metadata {@code limit} while the
   *     username is throttled from this address, or the address is
   */
  private PasswordCheck beginPasswordCheck(String username, String address, Account knownAccount) {
    String attemptId = Ids.newSessionId();
    Optional<LoginFailureStore.Refusal> refusal = failures.begin(username, address, attemptId);
    if (refusal.isPresent()) {
      // Whole seconds, rounded up: a client that waits that long is let in.
      Duration wait = refusal.get().retryAfter();
      Duration retryAfter = Duration.ofSeconds((wait.toMillis() + 999) / 1000);
      boolean perAddress = refusal.get().limit() == LoginFailureStore.Limit.ADDRESS;
      throw ParleyException.builder(ErrorReason.LOGIN_THROTTLED)
          .message(perAddress
              ? "too many failed attempts from your address; retry later"
              : "too many failed attempts for this username from your address; retry later")
          .metadata("limit", refusal.get().limit().metadata())
          .retryAfter(retryAfter)
          .build();
    }
    Optional<Account> account = knownAccount != null ? Optional.of(knownAccount) : users.findByUsername(username);
    return new PasswordCheck(username, address, attemptId, account);
  }

  /** A password check begun under the throttle, to be run on the hashing pool. */
  private final class PasswordCheck {
    private final String username;
    private final String address;
    private final String attemptId;
    private final Optional<Account> account;

    PasswordCheck(String username, String address, String attemptId, Optional<Account> account) {
      this.username = username;
      this.address = address;
      this.attemptId = attemptId;
      this.account = account;
    }

    /**
     * The account if {@code password} is its password, else empty: the username is unknown or the
     * password wrong, indistinguishable in answer and in time.
     */
    Optional<Account> verify(String password) {
      boolean matches = account.isPresent()
          ? passwords.verify(password, account.get().passwordHash())
          : passwords.verifyDummy(password);
      if (!matches) {
        return Optional.empty();
      }
      failures.succeeded(username, address, attemptId);
      return account;
    }
  }

  @Override
  public void logout(LogoutRequest request, StreamObserver<Empty> response) {
    Session session = Sessions.current();
    sessions.revoke(session.userId(), session.sessionId());
    logger.info("logout user={} session={}", session.userId(), session.sessionId());
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void getMe(GetMeRequest request, StreamObserver<User> response) {
    reply(response, existing(Sessions.current().userId()).user());
  }

  @Override
  public void getUser(GetUserRequest request, StreamObserver<User> response) {
    FieldViolations violations = new FieldViolations();
    UserFields.userId(violations, "user_id", request.getUserId());
    violations.throwIfAny();
    reply(response, existing(request.getUserId()).user());
  }

  @Override
  public void batchGetUsers(BatchGetUsersRequest request, StreamObserver<BatchGetUsersResponse> response) {
    FieldViolations violations = new FieldViolations();
    List<String> ids = request.getUserIdsList();
    if (ids.isEmpty()) {
      violations.add("user_ids", "is required");
    } else if (ids.size() > UserFields.BATCH_MAX) {
      violations.add("user_ids", "must hold at most " + UserFields.BATCH_MAX + " ids");
    } else {
      for (int i = 0; i < ids.size(); i++) {
        UserFields.userId(violations, "user_ids[" + i + "]", ids.get(i));
      }
    }
    violations.throwIfAny();
    Set<String> unique = new LinkedHashSet<>(ids);
    Map<String, User> found = users.findUsers(unique);
    BatchGetUsersResponse.Builder out = BatchGetUsersResponse.newBuilder();
    unique.stream().map(found::get).filter(Objects::nonNull).forEach(out::addUsers);
    reply(response, out.build());
  }

  @Override
  public void updateProfile(UpdateProfileRequest request, StreamObserver<User> response) {
    FieldViolations violations = new FieldViolations();
    UpdateProfileRequest.Builder change = request.toBuilder();
    if (request.hasNickname()) {
      String nickname = UserFields.nickname(violations, "nickname", request.getNickname());
      if (nickname != null) {
        change.setNickname(nickname);
      }
    }
    if (request.hasAvatarUrl()) {
      UserFields.avatarUrl(violations, "avatar_url", request.getAvatarUrl());
    }
    if (request.hasBio()) {
      String bio = UserFields.bio(violations, "bio", request.getBio());
      if (bio != null) {
        change.setBio(bio);
      }
    }
    violations.throwIfAny();

    Session session = Sessions.current();
    User user = users.updateProfile(session.userId(), change.build())
        .orElseThrow(() -> userNotFound(session.userId()));
    Map<String, String> profile = attributes(user);
    // The current session is written back by the session interceptor when the call ends.
    profile.forEach(session::setAttribute);
    for (StoredSession other : sessions.listLive(session.userId())) {
      if (!other.sessionId().equals(session.sessionId())
          && !other.record().getAttributesMap().entrySet().containsAll(profile.entrySet())) {
        sessions.updateAttributes(other.userId(), other.sessionId(), profile);
      }
    }
    reply(response, user);
  }

  @Override
  public void searchUsers(SearchUsersRequest request, StreamObserver<SearchUsersResponse> response) {
    FieldViolations violations = new FieldViolations();
    String query = UserFields.query(violations, "query", request.getQuery());
    violations.check(request.getPageSize() >= 0, "page_size", "must not be negative");
    violations.throwIfAny();
    limiter.acquire(settings.searchLimit(), Sessions.current().userId());
    int pageSize = PageTokens.pageSize(request.getPageSize(), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    String tokenQuery = "search:" + query;
    String cursorText = PageTokens.decode(request.getPageToken(), tokenQuery);
    SearchCursor cursor;
    try {
      cursor = cursorText == null ? SearchCursor.FIRST : SearchCursor.parse(cursorText);
    } catch (IllegalArgumentException e) {
      throw PageTokens.invalidToken();
    }
    UserStore.SearchPage page = users.search(query, pageSize, cursor);
    reply(response, SearchUsersResponse.newBuilder()
        .addAllUsers(page.users())
        .setNextPageToken(page.next() == null ? "" : PageTokens.encode(page.next().format(), tokenQuery))
        .build());
  }

  @Override
  public void changePassword(ChangePasswordRequest request, StreamObserver<ChangePasswordResponse> response) {
    FieldViolations violations = new FieldViolations();
    UserFields.password(violations, "old_password", request.getOldPassword());
    UserFields.newPassword(violations, "new_password", request.getNewPassword());
    if (!request.getNewPassword().isEmpty()) {
      violations.check(!request.getNewPassword().equals(request.getOldPassword()), "new_password",
          "must differ from old_password");
    }
    violations.throwIfAny();

    Session session = Sessions.current();
    Account account = existing(session.userId());
    // The old password is as good as a login: the same throttle keeps a stolen session from guessing it.
    String address = ClientAddresses.currentKey();
    String oldPassword = request.getOldPassword();
    String newPassword = request.getNewPassword();
    hashing.reply(response, () -> beginPasswordCheck(account.username(), address, account), check -> {
      Account checked = check.verify(oldPassword)
          .orElseThrow(() -> new ParleyException(ErrorReason.PASSWORD_INCORRECT, "old_password is wrong"));
      if (!users.replacePasswordHash(checked.userId(), checked.passwordHash(), passwords.hash(newPassword))) {
        throw new ParleyException(ErrorReason.ABORTED, "the password was changed concurrently; retry");
      }
      List<String> revoked = sessions.revokeAllExcept(session.userId(), session.sessionId());
      logger.info("password changed user={} session={} revoked={}", session.userId(), session.sessionId(), revoked);
      return ChangePasswordResponse.newBuilder().setRevokedSessions(revoked.size()).build();
    });
  }

  @Override
  public void listSessions(ListSessionsRequest request, StreamObserver<ListSessionsResponse> response) {
    Session session = Sessions.current();
    ListSessionsResponse.Builder out = ListSessionsResponse.newBuilder();
    for (StoredSession stored : sessions.listLive(session.userId())) {
      SessionInfo info = sessionInfo(stored, session.sessionId());
      if (info.getCurrent()) {
        // Activity is recorded coarsely (SessionPolicy#touchInterval): this very call is the
        // session's last activity, whatever the store has recorded yet.
        info = info.toBuilder().setLastActiveTime(Timestamps.fromMillis(clock.millis())).build();
      }
      out.addSessions(info);
    }
    reply(response, out.build());
  }

  @Override
  public void revokeSession(RevokeSessionRequest request, StreamObserver<Empty> response) {
    FieldViolations violations = new FieldViolations();
    UserFields.sessionId(violations, "session_id", request.getSessionId());
    violations.throwIfAny();
    Session session = Sessions.current();
    // The store is keyed by user: a session id of someone else's is simply not found here.
    if (!sessions.revoke(session.userId(), request.getSessionId())) {
      throw ParleyException.builder(ErrorReason.SESSION_ID_NOT_FOUND)
          .message("no live session with this id among yours")
          .metadata("session_id", request.getSessionId())
          .build();
    }
    logger.info("session revoked user={} session={} by={}", session.userId(), request.getSessionId(), session.sessionId());
    reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void revokeOtherSessions(RevokeOtherSessionsRequest request, StreamObserver<RevokeOtherSessionsResponse> response) {
    Session session = Sessions.current();
    List<String> revoked = sessions.revokeAllExcept(session.userId(), session.sessionId());
    logger.info("other sessions revoked user={} session={} revoked={}", session.userId(), session.sessionId(), revoked);
    reply(response, RevokeOtherSessionsResponse.newBuilder().setRevokedSessions(revoked.size()).build());
  }

  private Account existing(String userId) {
    return users.findById(userId).orElseThrow(() -> userNotFound(userId));
  }

  private static ParleyException userNotFound(String userId) {
    return ParleyException.builder(ErrorReason.USER_NOT_FOUND)
        .message("no such user")
        .metadata("user_id", userId)
        .build();
  }

  /** The session attributes that mirror the profile, and the roles. */
  private static Map<String, String> attributes(User user) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put(USERNAME, user.getUsername());
    attributes.put(NICKNAME, user.getNickname());
    attributes.put(AVATAR_URL, user.getAvatarUrl());
    attributes.put(ROLES, ROLE_USER);
    return attributes;
  }

  private static SessionInfo sessionInfo(StoredSession stored, String currentSessionId) {
    SessionRecord record = stored.record();
    return SessionInfo.newBuilder()
        .setSessionId(stored.sessionId())
        .setTerminal(stored.terminal())
        .setDeviceName(record.getDeviceName())
        .setCreateTime(Timestamps.fromMillis(record.getCreateTimeMs()))
        .setLastActiveTime(Timestamps.fromMillis(stored.lastAccess().toEpochMilli()))
        .setExpireTime(Timestamps.fromMillis(stored.expiresAt().toEpochMilli()))
        .setCurrent(stored.sessionId().equals(currentSessionId))
        .build();
  }

  private static <T> void reply(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }
}
