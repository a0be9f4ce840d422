package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.util.Optional;

/**
 * What an operation needs from the caller's ACL token: an access level on a resource, and for
 * named resources the name, such as {@code service:write} on {@code "web"}.
 *
 * <p>Connect's operations need these (CONSUL-SEMANTICS §5): a leaf certificate {@link
 * #serviceWrite service:write} on the service; reading intentions {@link #intentionRead
 * intention:read} on the source or the destination; writing one {@link #intentionWrite
 * intention:write} on the destination; the CA configuration {@link #operatorWrite()
 * operator:write}; tokens and policies {@link #aclWrite() acl:write}.
 *
 * @param resource what is protected
 * @param access what the operation needs: {@code READ}, {@code WRITE}, or {@code LIST} on keys
 * @param segment the name of the service, node, key, ... for {@linkplain AclResource#named()
 *     named} resources (it may be empty, as the root key is); empty for global ones
 */
public record Permission(AclResource resource, AccessLevel access, Optional<String> segment) {

  /**
   * Checks that the access can be asked for and that a name is given exactly when the resource
   * is named.
   *
   * @throws IllegalArgumentException if {@code access} is {@code DENY}, if it is {@code LIST} on
   *     anything but keys, or if the segment does not fit the resource
   */
  public Permission {
    requireNonNull(resource, "resource");
    requireNonNull(access, "access");
    requireNonNull(segment, "segment");
    if (access == AccessLevel.DENY) {
      throw new IllegalArgumentException("a permission asks for read, list or write, not deny");
    }
    if (access == AccessLevel.LIST && resource != AclResource.KEY) {
      throw new IllegalArgumentException("list is a permission on keys only, not on "
          + resource.text());
    }
    if (resource.named() && segment.isEmpty()) {
      throw new IllegalArgumentException(resource.text() + " permissions name a "
          + resource.text());
    }
    if (!resource.named() && segment.isPresent()) {
      throw new IllegalArgumentException(resource.text() + " permissions are global and name"
          + " nothing, not " + AclGoSyntax.quote(segment.get()));
    }
  }

  /**
   * Returns a permission on one named thing.
   *
   * @param resource a named resource such as {@link AclResource#SERVICE}
   * @param access {@code READ}, {@code WRITE}, or {@code LIST} on keys
   * @param segment the name, such as {@code "web"}
   * @return the permission
   * @throws IllegalArgumentException if the resource is global or the access cannot be asked for
   */
  public static Permission of(AclResource resource, AccessLevel access, String segment) {
    return new Permission(resource, access, Optional.of(requireNonNull(segment, "segment")));
  }

  /**
   * Returns a permission on a global resource.
   *
   * @param resource a global resource such as {@link AclResource#OPERATOR}
   * @param access {@code READ} or {@code WRITE}
   * @return the permission
   * @throws IllegalArgumentException if the resource is named or the access cannot be asked for
   */
  public static Permission of(AclResource resource, AccessLevel access) {
    return new Permission(resource, access, Optional.empty());
  }

  /**
   * Returns {@code service:read} on a service: discovering it and its instances.
   *
   * @param service the service name
   * @return the permission
   */
  public static Permission serviceRead(String service) {
    return of(AclResource.SERVICE, AccessLevel.READ, service);
  }

  /**
   * Returns {@code service:write} on a service: registering it, and getting its leaf certificate.
   *
   * @param service the service name
   * @return the permission
   */
  public static Permission serviceWrite(String service) {
    return of(AclResource.SERVICE, AccessLevel.WRITE, service);
  }

  /**
   * Returns {@code intention:read} on a service: reading intentions with it as source or
   * destination.
   *
   * @param service the service name
   * @return the permission
   */
  public static Permission intentionRead(String service) {
    return of(AclResource.INTENTION, AccessLevel.READ, service);
  }

  /**
   * Returns {@code intention:write} on a service: writing intentions with it as destination.
   *
   * @param service the destination service name
   * @return the permission
   */
  public static Permission intentionWrite(String service) {
    return of(AclResource.INTENTION, AccessLevel.WRITE, service);
  }

  /**
   * Returns {@code node:read} on a node.
   *
   * @param node the node name
   * @return the permission
   */
  public static Permission nodeRead(String node) {
    return of(AclResource.NODE, AccessLevel.READ, node);
  }

  /**
   * Returns {@code node:write} on a node: registering it, and an agent certificate for it.
   *
   * @param node the node name
   * @return the permission
   */
  public static Permission nodeWrite(String node) {
    return of(AclResource.NODE, AccessLevel.WRITE, node);
  }

  /** Returns {@code operator:read}: reading cluster-level operator state. */
  public static Permission operatorRead() {
    return of(AclResource.OPERATOR, AccessLevel.READ);
  }

  /** Returns {@code operator:write}: reading or changing the CA configuration, rotating roots. */
  public static Permission operatorWrite() {
    return of(AclResource.OPERATOR, AccessLevel.WRITE);
  }

  /** Returns {@code acl:read}: listing and reading tokens and policies. */
  public static Permission aclRead() {
    return of(AclResource.ACL, AccessLevel.READ);
  }

  /** Returns {@code acl:write}: creating, changing and deleting tokens and policies. */
  public static Permission aclWrite() {
    return of(AclResource.ACL, AccessLevel.WRITE);
  }

  /** Returns the permission as Consul writes it in messages, such as {@code service:write}. */
  public String label() {
    return resource.text() + ":" + access.text();
  }

  /**
   * Returns the permission and its resource as Consul's newer denial messages put them: {@code
   * service:write on "web"}, or {@code operator:write} for a global one; the name is quoted and
   * escaped as Go's {@code %q} does.
   */
  @Override
  public String toString() {
    return segment.map(s -> label() + " on " + AclGoSyntax.quote(s)).orElseGet(this::label);
  }
}
