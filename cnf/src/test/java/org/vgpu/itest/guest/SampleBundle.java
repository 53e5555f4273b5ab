package org.vgpu.itest.guest;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.BundleContext;

/**
 * Packs org.vgpu.itest.sample (compiled into the test bundle) as a bundle of its own, with a DS
 * component providing a ResourceBackend: what a third party would drop into the load folder.
 */
public final class SampleBundle {
    static final String PACKAGE = "org/vgpu/itest/sample/";
    static final String COMPONENT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="org.vgpu.itest.sample">
              <implementation class="org.vgpu.itest.sample.SampleBackend"/>
              <service><provide interface="org.vgpu.gpu.spi.ResourceBackend"/></service>
              <property name="service.ranking" type="Integer" value="50"/>
            </scr:component>
            """;

    private SampleBundle() {
    }

    static final String CONTEXT_COMPONENT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="org.vgpu.itest.sample.context">
              <implementation class="org.vgpu.itest.sample.SampleContextType"/>
              <service><provide interface="org.vgpu.gpu.context.ContextType"/></service>
            </scr:component>
            """;

    /** A bundle with a DS component providing a ContextType (capset 0x7f): a third-party rendering context. */
    public static void writeContextType(BundleContext context, Path jar) throws Exception {
        pack(context, jar, "org.vgpu.itest.sample.context", "org.vgpu.gpu.context;version=\"[1.0,2)\"",
                new String[] {"SampleContextType.class", "SampleContextType$1.class"}, CONTEXT_COMPONENT);
    }

    public static void write(BundleContext context, Path jar) throws Exception {
        pack(context, jar, "org.vgpu.itest.sample", "org.vgpu.gpu.spi;version=\"[2.0,3)\",org.vgpu.virtio.memory;version=\"[1.0,2)\"",
                new String[] {"SampleBackend.class", "SampleBackend$HeapResource.class"}, COMPONENT);
    }

    private static void pack(BundleContext context, Path jar, String bsn, String imports, String[] classes, String component)
            throws Exception {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Import-Package", imports);
        a.putValue("Service-Component", "OSGI-INF/sample.xml");
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out, mf)) {
            for (String name : classes) {
                URL entry = context.getBundle().getEntry(PACKAGE + name);
                j.putNextEntry(new JarEntry(PACKAGE + name));
                try (InputStream in = entry.openStream()) {
                    in.transferTo(j);
                }
                j.closeEntry();
            }
            j.putNextEntry(new JarEntry("OSGI-INF/sample.xml"));
            j.write(component.getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE); // FileInstall sees a complete jar
    }
}
