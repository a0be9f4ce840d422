package dev.connect.core;

/** Checks of the IDs the ACL system uses. */
final class AclIds {
  private AclIds() {}

  /**
   * Returns whether {@code id} has the form Consul's {@code uuid.ParseUUID} accepts: 36
   * characters, hex digits in groups of 8-4-4-4-12 separated by {@code -}, in either case.
   */
  static boolean isUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (Character.digit(c, 16) < 0 || c > 'f') {
        return false;
      }
    }
    return true;
  }
}
