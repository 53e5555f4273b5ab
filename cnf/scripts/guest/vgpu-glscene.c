/*
 * vgpu-glscene: the 3D test guest's known scene (VirglGuestIT). Runs in a guest whose root is this
 * machine's over 9p, so it links Debian's Mesa dynamically (built by the test: gcc ... -lEGL
 * -lGLESv2 -lgbm -ldrm). Draws with GLES2 through EGL on GBM on /dev/dri/card0: the known image
 * (known-image.h) uploaded as a texture on a full-screen quad, then a triangle with a colour per
 * vertex over it (shaders, interpolation); reads the frame back with glReadPixels, writes it to
 * READBACK (RGBA rows bottom-up, as GL returns them), and scans the frame out by KMS. It then holds
 * the scanout until the file RELEASE exists (the host takes its screenshots meanwhile), at most
 * 300 s. Output: "VGPU-GL-RENDERER <GL_RENDERER>", "VGPU-GLSCENE-DONE WxH", or "VGPU-FAIL <why>".
 * Usage: vgpu-glscene READBACK RELEASE
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <gbm.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "known-image.h"

static int fail(const char *why) {
    printf("VGPU-FAIL %s\n", why);
    fflush(stdout);
    return 1;
}

static GLuint shader(GLenum type, const char *src) {
    GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    return ok ? s : 0;
}

static GLuint program(const char *vs, const char *fs) {
    GLuint v = shader(GL_VERTEX_SHADER, vs), f = shader(GL_FRAGMENT_SHADER, fs);
    if (!v || !f)
        return 0;
    GLuint p = glCreateProgram();
    glAttachShader(p, v);
    glAttachShader(p, f);
    glBindAttribLocation(p, 0, "pos");
    glBindAttribLocation(p, 1, "attr");
    glLinkProgram(p);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    return ok ? p : 0;
}

int main(int argc, char **argv) {
    if (argc != 3)
        return fail("usage: vgpu-glscene READBACK RELEASE");
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return fail("open /dev/dri/card0");
    drmModeRes *res = drmModeGetResources(fd);
    if (!res)
        return fail("drmModeGetResources");
    drmModeConnector *conn = NULL;
    for (int i = 0; i < res->count_connectors && !conn; i++) {
        drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);
        if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0)
            conn = c;
        else if (c)
            drmModeFreeConnector(c);
    }
    if (!conn)
        return fail("no connected connector");
    drmModeModeInfo mode = conn->modes[0];
    for (int i = 0; i < conn->count_modes; i++)
        if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
            mode = conn->modes[i];
    uint32_t crtc = res->crtcs[0];
    drmModeEncoder *enc = conn->encoder_id ? drmModeGetEncoder(fd, conn->encoder_id) : NULL;
    if (enc && enc->crtc_id)
        crtc = enc->crtc_id;
    int w = mode.hdisplay, h = mode.vdisplay;

    struct gbm_device *gbm = gbm_create_device(fd);
    struct gbm_surface *gs = gbm ? gbm_surface_create(gbm, w, h, GBM_FORMAT_XRGB8888,
                                                      GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING) : NULL;
    if (!gs)
        return fail("gbm surface");
    EGLDisplay dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gbm, NULL);
    if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL))
        return fail("eglInitialize");
    eglBindAPI(EGL_OPENGL_ES_API);
    const EGLint want[] = {EGL_SURFACE_TYPE, EGL_WINDOW_BIT, EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
                           EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE};
    EGLConfig configs[64];
    EGLint n = 0;
    eglChooseConfig(dpy, want, configs, 64, &n);
    EGLConfig config = NULL;
    for (int i = 0; i < n; i++) {  /* the config whose visual is the GBM surface's format */
        EGLint id = 0;
        eglGetConfigAttrib(dpy, configs[i], EGL_NATIVE_VISUAL_ID, &id);
        if ((uint32_t)id == GBM_FORMAT_XRGB8888) {
            config = configs[i];
            break;
        }
    }
    if (!config)
        return fail("no EGL config for XRGB8888");
    const EGLint ctxattr[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
    EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, ctxattr);
    EGLSurface surf = eglCreatePlatformWindowSurface(dpy, config, gs, NULL);
    if (ctx == EGL_NO_CONTEXT || surf == EGL_NO_SURFACE || !eglMakeCurrent(dpy, surf, surf, ctx))
        return fail("EGL context");
    printf("VGPU-GL-RENDERER %s\n", (const char *)glGetString(GL_RENDERER));

    /* The known image as a texture, row 0 at the top of the screen (texture t = 1 - y / h). */
    uint8_t *image = malloc((size_t)w * h * 4);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t p = pixel(x, y, w, h);
            uint8_t *o = image + ((size_t)(h - 1 - y) * w + x) * 4;
            o[0] = p >> 16, o[1] = p >> 8, o[2] = p, o[3] = 0xff;
        }
    GLuint tex;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, image);

    GLuint textured = program("attribute vec2 pos; attribute vec2 attr; varying vec2 t;"
                              "void main() { t = attr; gl_Position = vec4(pos, 0.0, 1.0); }",
                              "precision mediump float; varying vec2 t; uniform sampler2D s;"
                              "void main() { gl_FragColor = texture2D(s, t); }");
    GLuint coloured = program("attribute vec2 pos; attribute vec3 attr; varying vec3 c;"
                              "void main() { c = attr; gl_Position = vec4(pos, 0.0, 1.0); }",
                              "precision mediump float; varying vec3 c;"
                              "void main() { gl_FragColor = vec4(c, 1.0); }");
    if (!textured || !coloured)
        return fail("shader compile or link");
    glViewport(0, 0, w, h);
    glClearColor(0.2f, 0.4f, 0.6f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    static const GLfloat quad[] = {-1, -1, 0, 0,  1, -1, 1, 0,  -1, 1, 0, 1,  1, 1, 1, 1};
    glUseProgram(textured);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(GLfloat), quad);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(GLfloat), quad + 2);
    glEnableVertexAttribArray(0);
    glEnableVertexAttribArray(1);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    /* An asymmetric triangle in the upper left: a flipped or mirrored display shows. */
    static const GLfloat tri[] = {-0.9f, 0.9f, 1, 0, 0,  0.1f, 0.8f, 0, 1, 0,  -0.7f, -0.2f, 0, 0, 1};
    glUseProgram(coloured);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 5 * sizeof(GLfloat), tri);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, 5 * sizeof(GLfloat), tri + 2);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glFinish();
    if (glGetError() != GL_NO_ERROR)
        return fail("GL error while drawing");

    uint8_t *readback = malloc((size_t)w * h * 4);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, readback);
    if (glGetError() != GL_NO_ERROR)
        return fail("glReadPixels");
    FILE *out = fopen(argv[1], "wb");
    if (!out || fwrite(readback, 4, (size_t)w * h, out) != (size_t)w * h || fclose(out))
        return fail("write readback");

    if (!eglSwapBuffers(dpy, surf))
        return fail("eglSwapBuffers");
    struct gbm_bo *bo = gbm_surface_lock_front_buffer(gs);
    uint32_t fb = 0;
    if (!bo || drmModeAddFB(fd, w, h, 24, 32, gbm_bo_get_stride(bo), gbm_bo_get_handle(bo).u32, &fb))
        return fail("drmModeAddFB");
    if (drmModeSetCrtc(fd, crtc, fb, 0, 0, &conn->connector_id, 1, &mode))
        return fail("drmModeSetCrtc");
    printf("VGPU-GLSCENE-DONE %dx%d\n", w, h);
    for (int i = 0; i < 3000 && access(argv[2], F_OK) != 0; i++)
        usleep(100000);
    return 0;
}
